package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are passed in
	}
	return b
}

// listResponse is the envelope of every JSON API listing.
type listResponse[T any] struct {
	Items  []T               `json:"items"`
	Total  int64             `json:"total"`
	Limit  int               `json:"limit"`
	Offset int               `json:"offset"`
	Links  map[string]string `json:"links,omitempty"`
}

// paging reads limit and offset (defaults 50 and 0; limit at most 500).
func paging(c echo.Context) (limit, offset int, err error) {
	var p domain.Problems
	limit, offset = 50, 0
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			p.Add("limit", "must be a whole number from 1 to 500")
		}
		limit = n
	}
	if v := c.QueryParam("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			p.Add("offset", "must be a whole number, 0 or more")
		}
		offset = n
	}
	return limit, offset, p.Err()
}

// pageLinks builds next/prev links keeping the other query parameters.
func (s *Server) pageLinks(c echo.Context, limit, offset int, total int64) map[string]string {
	links := map[string]string{}
	u := s.baseURL(c) + c.Request().URL.Path
	q := c.Request().URL.Query()
	at := func(off int) string {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("limit", strconv.Itoa(limit))
		qq.Set("offset", strconv.Itoa(off))
		return u + "?" + qq.Encode()
	}
	links["self"] = at(offset)
	if int64(offset+limit) < total {
		links["next"] = at(offset + limit)
	}
	if offset > 0 {
		links["prev"] = at(max(offset-limit, 0))
	}
	return links
}

// etag is the entity tag of a stored record version.
func etag(rec store.Record) string { return fmt.Sprintf(`"%s-%d"`, rec.ID, rec.Version) }

// expectedVersion checks If-Match against the record. Without If-Match the
// version read just now is used, so concurrent writers still never lose an
// update silently; with a stale one the answer is 412 and nothing changes.
func expectedVersion(c echo.Context, rec store.Record) (int64, error) {
	im := c.Request().Header.Get("If-Match")
	if im == "" || im == "*" {
		return rec.Version, nil
	}
	for _, tag := range strings.Split(im, ",") {
		if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(tag), "W/")) == etag(rec) {
			return rec.Version, nil
		}
	}
	return 0, newProblem("stale", fmt.Sprintf("If-Match %s does not match the current ETag %s; GET the record again and re-apply your change", im, etag(rec)))
}

// now is the time stamps are taken at: whole seconds in UTC, so stored
// RFC 3339 text compares in time order.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// ifMatch reads a client's If-Match for the record id: the version its
// ETag names, or 0 when the header is absent or "*" (then the change is
// applied to the latest version). A tag of another record, or one that is
// not ours, can never match: 412 at once.
func ifMatch(c echo.Context, id string) (int64, error) {
	im := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if im == "" || im == "*" {
		return 0, nil
	}
	for _, tag := range strings.Split(im, ",") {
		t := strings.Trim(strings.TrimPrefix(strings.TrimSpace(tag), "W/"), `"`)
		cut := strings.LastIndexByte(t, '-') // the tag is "{id}-{version}"
		if cut < 0 || t[:cut] != id {
			continue
		}
		if n, err := strconv.ParseInt(t[cut+1:], 10, 64); err == nil && n > 0 {
			return n, nil
		}
	}
	return 0, newProblem("stale", fmt.Sprintf("If-Match %s is not an ETag of this record; GET it again and re-apply your change", im))
}

// mergePatch applies an RFC 7396 JSON merge patch.
func mergePatch(doc, p json.RawMessage) (json.RawMessage, error) { return patch.Merge(doc, p) }

// readPatch reads a merge patch body (application/merge-patch+json or application/json).
func readPatch(c echo.Context) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := decodeJSON(c, &raw, "application/merge-patch+json", "application/json"); err != nil {
		return nil, err
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, newProblem("malformed-json", "a merge patch must be a JSON object")
	}
	return raw, nil
}

// strictDecode decodes merged JSON into v, rejecting unknown members.
func strictDecode(raw json.RawMessage, v any) error { return patch.Decode(bytes.NewReader(raw), v) }

// audit records a successful write. A failure to append is logged rather
// than reported: the write itself has happened and a retry would repeat it.
func (s *Server) audit(c echo.Context, action, coll, id string, before, after any) {
	p := principal(c)
	e := store.AuditEntry{Actor: p.KeyID, ActorRole: string(p.Role), ActorOrg: p.Organisation,
		Action: action, Collection: coll, RecordID: id,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	if before != nil {
		e.Before = mustJSON(before)
	}
	if after != nil {
		e.After = mustJSON(after)
	}
	if err := s.store.AppendAudit(c.Request().Context(), e); err != nil {
		s.log.Error("audit append failed", "err", err, "action", action, "record", id)
	}
}

// withETag sets ETag and answers 304 when If-None-Match already has it.
func withETag(c echo.Context, tag string, v any) error {
	c.Response().Header().Set("ETag", tag)
	if notModified(c, tag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSON(http.StatusOK, v)
}

// notModified reports whether the request's If-None-Match names tag (or
// "*"), comparing weakly as RFC 9110 requires for GET.
func notModified(c echo.Context, tag string) bool {
	inm := c.Request().Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// contentTag is a strong ETag from a hash of a generated body, for
// documents that are pure functions of stored data: the tag changes exactly
// when the content does.
func contentTag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// serveDocument writes a generated body with its content ETag, answering 304
// when the client already has it.
func serveDocument(c echo.Context, status int, contentType string, body []byte) error {
	if status == http.StatusOK {
		tag := contentTag(body)
		c.Response().Header().Set("ETag", tag)
		if notModified(c, tag) {
			return c.NoContent(http.StatusNotModified)
		}
	}
	return c.Blob(status, contentType, body)
}
