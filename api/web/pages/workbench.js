// Progressive enhancement of the officers' and publishers' pages. Without
// script everything works: a refused form shows its error summary, and an
// upload's page has a "check progress" link.
(function () {
  "use strict";
  // A refused form: move focus to its summary so it is read out first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // An upload being processed: poll its job and move the progress bar;
  // when the job ends, reload the page, which then shows the report.
  var box = document.querySelector("[data-job]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-job-status]");
  var counts = box.querySelector("[data-job-counts]");
  var url = "/api/v1/jobs/" + encodeURIComponent(box.getAttribute("data-job"));
  var said = status ? status.textContent : "";
  function number(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("job: " + r.status); }
        return r.json();
      })
      .then(function (j) {
        bar.value = j.progress;
        bar.textContent = j.progress + "%";
        if (counts) {
          var c = j.counts || {};
          counts.textContent = number(c.rows || c.features || 0) + (c.features ? " features" : " rows") + " read, " +
            number(c.errors || 0) + " errors, " + number(c.warnings || 0) + " warnings";
        }
        // The live region speaks only when the state changes.
        var now = { queued: "Waiting to start", running: "Processing the file", succeeded: "Finished", failed: "Failed" }[j.state] || j.state;
        if (status && now !== said) { status.textContent = now; said = now; }
        if (j.state === "succeeded" || j.state === "failed") {
          window.location.replace(box.getAttribute("data-done") || window.location.href);
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 300);
})();
