package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binary against a real data directory, as an
// operator would.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "councilapi-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "councilapi")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building councilapi with CGO_ENABLED=0: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type process struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	out  *bytes.Buffer
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// waitReady waits for /readyz to answer 200: derived state (the catalogue
// index, OGC collections) loads in the background after the port opens.
func (p *process) waitReady(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, body := call(t, "GET", p.url+"/readyz", "", "")
		if code == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after 30 s: %s", code, body)
		}
	}
}

func start(t testing.TB, dataDir string, flags ...string) *process {
	t.Helper()
	return startCommand(t, 30*time.Second, append([]string{"--addr", "127.0.0.1:0", "--data-dir", dataDir}, flags...))
}

// startCommand runs the binary with args and waits up to wait for it to
// say where it listens.
func startCommand(t testing.TB, wait time.Duration, args []string) *process {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "MONGODB_URI=")
	stdout, _ := cmd.StdoutPipe()
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan struct{}), out: &bytes.Buffer{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.out.WriteString(sc.Text() + "\n")
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	go func() { cmd.Wait(); close(p.done) }()
	select {
	case p.url = <-found:
	case <-time.After(wait):
		cmd.Process.Kill()
		t.Fatalf("server did not start; logs:\n%s", logs.String())
	}
	t.Cleanup(func() { cmd.Process.Kill(); <-p.done })
	return p
}

func (p *process) stop(t testing.TB, sig syscall.Signal) {
	t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
}

func createKey(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"keys", "create", "--data-dir", dataDir}, args...)...)
	cmd.Env = append(os.Environ(), "MONGODB_URI=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^(cak_\S+)$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no secret printed:\n%s", out)
	}
	return string(m[1])
}

func call(t *testing.T, method, url, key, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func TestFreshStartExplainsFirstKeyAndIsReady(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir)
	if !strings.Contains(p.out.String(), "keys create --role admin") {
		t.Fatalf("a fresh start must say how to make the first admin key:\n%s", p.out)
	}
	// Derived state loads in the background after the port opens, so
	// /readyz may say 503 (naming what loads) for a moment, never for long.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, body := call(t, "GET", p.url+"/readyz", "", "")
		if code == 200 {
			break
		}
		if code != 503 || !strings.Contains(string(body), "loading") || time.Now().After(deadline) {
			t.Fatalf("/readyz %d %s: want 200 once the derived state has loaded, 503 naming what loads until then", code, body)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "councilapi.db")); err != nil {
		t.Fatalf("no councilapi.db in the data directory: %v", err)
	}
	p.stop(t, syscall.SIGTERM)
	if p.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("graceful shutdown exit code %d", p.cmd.ProcessState.ExitCode())
	}
}

func TestRecordSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	admin := createKey(t, dir, "--role", "admin", "--label", "first admin")
	p := start(t, dir)
	code, body := call(t, "POST", p.url+"/api/v1/organisations", admin,
		`{"name":"North West Leicestershire District Council","shortName":"NWLDC","gssCode":"E07000134","website":"https://www.nwleics.gov.uk"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	_, before := call(t, "GET", p.url+"/api/v1/organisations/nwldc", "", "")
	p.stop(t, syscall.SIGINT)

	p = start(t, dir)
	code, after := call(t, "GET", p.url+"/api/v1/organisations/nwldc", "", "")
	if code != 200 || !bytes.Equal(before, after) {
		t.Fatalf("after restart: %d\n%s\nwant\n%s", code, after, before)
	}
	if strings.Contains(p.out.String(), "No admin API key") {
		t.Fatal("restart with an admin key still asks for the first key")
	}
}

// TestKillDuringWritesLeavesConsistentStore kills the server with SIGKILL
// while writers are busy, then checks every record still reads and that no
// write the server acknowledged was lost.
func TestKillDuringWritesLeavesConsistentStore(t *testing.T) {
	dir := t.TempDir()
	admin := createKey(t, dir, "--role", "admin")
	p := start(t, dir)
	var mu sync.Mutex
	acknowledged := map[string]bool{}
	var wg sync.WaitGroup
	stopWriting := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopWriting:
					return
				default:
				}
				short := fmt.Sprintf("W%dN%d", w, i)
				req, _ := http.NewRequest("POST", p.url+"/api/v1/organisations", strings.NewReader(
					fmt.Sprintf(`{"name":"Council %s","shortName":"%s"}`, short, short)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+admin)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				res.Body.Close()
				if res.StatusCode == 201 {
					mu.Lock()
					acknowledged[strings.ToLower(short)] = true
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	p.stop(t, syscall.SIGKILL)
	close(stopWriting)
	wg.Wait()
	if len(acknowledged) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	p = start(t, dir)
	have := map[string]bool{}
	total := 0
	for offset := 0; ; offset += 500 {
		code, body := call(t, "GET", fmt.Sprintf("%s/api/v1/organisations?limit=500&offset=%d", p.url, offset), "", "")
		if code != 200 {
			t.Fatalf("after kill -9: %d %s", code, body)
		}
		var list struct {
			Items []struct{ ID, Name string }
			Total int
		}
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		for _, o := range list.Items {
			if o.Name == "" {
				t.Fatalf("record %s read back incomplete", o.ID)
			}
			have[o.ID] = true
		}
		total = list.Total
		if len(list.Items) < 500 {
			break
		}
	}
	if len(have) != total {
		t.Fatalf("paged %d records, total says %d", len(have), total)
	}
	for id := range acknowledged {
		if !have[id] {
			t.Fatalf("acknowledged write %s lost after kill -9", id)
		}
	}
	t.Logf("%d acknowledged writes survived SIGKILL; %d records", len(acknowledged), total)
}

func TestHealthcheckCommand(t *testing.T) {
	p := start(t, t.TempDir())
	addr := strings.TrimPrefix(p.url, "http://")
	if err := exec.Command(binary, "healthcheck", "--addr", addr).Run(); err != nil {
		t.Fatalf("healthcheck against a running server: %v", err)
	}
	p.stop(t, syscall.SIGTERM)
	if err := exec.Command(binary, "healthcheck", "--addr", addr).Run(); err == nil {
		t.Fatal("healthcheck succeeded with the server stopped")
	}
}

// TestKillDuringUploadJobKeepsPreviousVersion kills the server (SIGKILL)
// while a large upload is being processed, restarts it, and checks that
// readers still get the previous version and no partial version shows.
func TestKillDuringUploadJobKeepsPreviousVersion(t *testing.T) {
	dir := t.TempDir()
	pub := createKey(t, dir, "--role", "publisher", "--org", "bdc")
	// A short lease, so the restarted instance finds the killed one's job
	// abandoned within seconds rather than the default 30.
	lease := []string{"--job-lease", "2s"}
	p := start(t, dir, lease...)
	code, body := call(t, "POST", p.url+"/api/v1/datasets", pub,
		`{"title":"Footfall counts","description":"Hourly footfall","contactPoint":{"email":"data@bolsover.gov.uk"}}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var d struct{ ID, Slug string }
	json.Unmarshal(body, &d)
	upload := func(content []byte) string { return upload(t, p.url, pub, d.ID, "footfall.csv", content) }
	jobState := func(id string) (string, int) {
		_, b := call(t, "GET", p.url+"/api/v1/jobs/"+id, pub, "")
		var j struct {
			State    string
			Progress int
		}
		json.Unmarshal(b, &j)
		return j.State, j.Progress
	}
	first := upload([]byte("site,hour,count\nMarket Place,2026-11-01T09:00,412\n"))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if st, _ := jobState(first); st == "succeeded" {
			break
		} else if st == "failed" || time.Now().After(deadline) {
			t.Fatalf("first upload: %s", st)
		}
	}
	if code, b := call(t, "PATCH", p.url+"/api/v1/datasets/"+d.ID, pub, `{"status":"published"}`); code != 200 {
		t.Fatalf("publish: %d %s", code, b)
	}
	_, v1 := call(t, "GET", p.url+"/datasets/"+d.Slug+"/latest.csv", "", "")

	var big bytes.Buffer
	big.WriteString("site,hour,count\n")
	for i := 0; big.Len() < 60<<20; i++ {
		fmt.Fprintf(&big, "Site %d,2026-11-01T%02d:00,%d\n", i%500, i%24, i)
	}
	second := upload(big.Bytes())
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st, progress := jobState(second)
		if st == "running" && progress > 0 {
			break
		}
		if st != "queued" && st != "running" || time.Now().After(deadline) {
			t.Fatalf("second upload finished (%s) before it could be interrupted; make the file bigger", st)
		}
	}
	p.stop(t, syscall.SIGKILL)

	p = start(t, dir, lease...)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st, _ := jobState(second)
		if st == "failed" {
			break
		}
		if st != "running" || time.Now().After(deadline) {
			t.Fatalf("interrupted job is %q after restart, want it failed once its lease expires", st)
		}
	}
	_, jb := call(t, "GET", p.url+"/api/v1/jobs/"+second, pub, "")
	if !strings.Contains(string(jb), "stopped before it finished") {
		t.Errorf("the failed job does not say why: %s", jb)
	}
	_, latest := call(t, "GET", p.url+"/datasets/"+d.Slug+"/latest.csv", "", "")
	if !bytes.Equal(latest, v1) {
		t.Fatalf("latest.csv after the interrupted upload is not version 1:\n%.200s", latest)
	}
	if code, _ := call(t, "GET", p.url+"/datasets/"+d.Slug+"/versions/2/data.csv", "", ""); code != 404 {
		t.Fatalf("partial version 2 downloadable: %d", code)
	}
	_, vs := call(t, "GET", p.url+"/api/v1/datasets/"+d.ID+"/versions", "", "")
	if !strings.Contains(string(vs), `"total":1`) {
		t.Fatalf("public versions after restart: %s", vs)
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	out, err := exec.Command(binary, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"--addr", "COUNCILAPI_ADDR", "--data-dir", "COUNCILAPI_DATA_DIR", "MONGODB_URI",
		"COUNCILAPI_BASE_URL", "--trust-proxy", "--body-limit", "--upload-limit", "keys create", "keys revoke",
		"--auth-fail-rate", "COUNCILAPI_AUTH_FAIL_RATE", "--auth-fail-burst", "COUNCILAPI_AUTH_FAIL_BURST",
		"--basemap-url", "COUNCILAPI_BASEMAP_URL", "--basemap-attribution", "COUNCILAPI_BASEMAP_ATTRIBUTION"} {
		if !strings.Contains(string(out), strings.TrimPrefix(want, "-")) {
			t.Errorf("--help does not mention %s", want)
		}
	}
}

// TestBadHTTPSettingsAreRefusedAtStart: a mistyped basemap or throttle
// setting stops the server before it listens, naming the setting, rather
// than serving maps that fail in every browser.
func TestBadHTTPSettingsAreRefusedAtStart(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--basemap-url", "https://tile.example.org/{z}/{x}.png", "--basemap-attribution", "x"}, "must contain {z}, {x} and {y}"},
		{[]string{"--basemap-url", "https://tile.example.org/{z}/{x}/{y}.png"}, "attribution"},
		{[]string{"--auth-fail-rate", "0"}, "--auth-fail-rate"},
	} {
		cmd := exec.Command(binary, append([]string{"--data-dir", t.TempDir(), "--addr", "127.0.0.1:0"}, tc.args...)...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: exit %v, output %q; want exit 2 naming %q", tc.args, err, out, tc.want)
		}
	}
}

// TestOGCCollectionsReturnAfterRestart publishes a spatial dataset, restarts
// the server and waits for its OGC API collection, which is rebuilt from the
// store in the background after start.
func TestOGCCollectionsReturnAfterRestart(t *testing.T) {
	dir := t.TempDir()
	pub := createKey(t, dir, "--role", "publisher", "--org", "neddc")
	p := start(t, dir)
	code, body := call(t, "POST", p.url+"/api/v1/datasets", pub, `{"title":"Defibrillators","description":"Public access defibrillators",
		"contactPoint":{"email":"data@ne-derbyshire.gov.uk"},"inspire":{"topicCategories":["health"],"inspireThemes":["us"]}}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var d struct{ ID, Slug string }
	json.Unmarshal(body, &d)
	req, _ := http.NewRequest("POST", p.url+"/api/v1/datasets/"+d.ID+"/versions?filename=aeds.csv",
		strings.NewReader("site,easting,northing\nLibrary,437000,371000\nLeisure centre,436500,370500\n"))
	req.Header.Set("Authorization", "Bearer "+pub)
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	waitFor := func(what string) []byte {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if code, b := call(t, "GET", p.url+"/ogc/collections/"+d.Slug+"/items?f=json", "", ""); code == 200 {
				return b
			}
			call(t, "PATCH", p.url+"/api/v1/datasets/"+d.ID, pub, `{"status":"published"}`)
		}
		t.Fatalf("%s: the OGC collection never appeared", what)
		return nil
	}
	before := waitFor("after publishing")
	p.stop(t, syscall.SIGTERM)
	p = start(t, dir)
	after := waitFor("after a restart")
	strip := regexp.MustCompile(`"timeStamp":"[^"]*"|http://127\.0\.0\.1:\d+`)
	if !bytes.Equal(strip.ReplaceAll(before, nil), strip.ReplaceAll(after, nil)) {
		t.Fatalf("items differ after restart:\n%s\n%s", before, after)
	}
}
