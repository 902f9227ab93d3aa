package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object. Errors lists each invalid
// field with what is wrong and how to fix it.
type Problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail,omitempty"`
	Instance  string                `json:"instance,omitempty"`
	Errors    []domain.FieldProblem `json:"errors,omitempty"`
	Allowed   []string              `json:"allowed,omitempty"`
	RequestID string                `json:"requestId,omitempty"`
	// Components names, for /readyz, each part of the instance that is not
	// ready and why (an RFC 9457 extension member).
	Components map[string]string `json:"components,omitempty"`
}

// problemTypes documents every problem type; GET /problems/{slug} serves it.
var problemTypes = map[string]struct {
	status int
	title  string
	about  string
}{
	"invalid":        {http.StatusBadRequest, "Invalid request", "A field or parameter breaks a rule; errors[] names each one and how to fix it."},
	"unprocessable":  {http.StatusUnprocessableEntity, "Unprocessable request", "The request is valid on its own but contradicts what the server computed from it or the record's rules; errors[] names each field and how to resolve it."},
	"malformed-json": {http.StatusBadRequest, "Malformed JSON", "The body is not valid JSON, has a value of the wrong type, or has a member the resource does not know."},
	"unauthorized":   {http.StatusUnauthorized, "Authentication required", "Send Authorization: Bearer <api key>. Keys are created with 'councilapi keys create' or by an admin at POST /api/v1/keys."},
	"forbidden":      {http.StatusForbidden, "Not allowed", "The key is valid but its role or organisation does not allow this write."},
	"not-found":      {http.StatusNotFound, "Not found", "No resource exists at this URL."},
	"conflict":       {http.StatusConflict, "Conflict", "The request clashes with the current state: a duplicate value or an illegal state change; allowed[] lists legal alternatives when there are some."},
	"stale":          {http.StatusPreconditionFailed, "Stale version", "The resource changed since you read it (If-Match did not match its ETag). Fetch it again and re-apply your change."},
	"busy":           {http.StatusConflict, "Changed meanwhile", "Other requests kept changing the record while this one was being applied, so it was not applied. Send it again; nothing needs re-reading unless you sent If-Match."},
	"too-large":      {http.StatusRequestEntityTooLarge, "Body too large", "The request body is larger than the server accepts."},
	"throttled":      {http.StatusTooManyRequests, "Too many failed authentications", "This client address, or this API key's prefix, sent too many keys that are not valid in a short time. Wait the seconds in Retry-After, then send a valid key; every request is refused until then."},
	"unsupported":    {http.StatusUnsupportedMediaType, "Unsupported media type", "Send the body with a Content-Type this endpoint accepts."},
	"method":         {http.StatusMethodNotAllowed, "Method not allowed", "This URL does not accept this HTTP method."},
	"unavailable":    {http.StatusServiceUnavailable, "Service unavailable", "A dependency such as the database is not reachable; retry later."},
	"internal":       {http.StatusInternalServerError, "Internal error", "Something failed on the server. The requestId identifies it in the server log."},
}

func newProblem(slug, detail string) *Problem {
	t := problemTypes[slug]
	return &Problem{Type: "/problems/" + slug, Title: t.title, Status: t.status, Detail: detail}
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

var codeSlugs = map[domain.Code]string{
	domain.CodeInvalid:      "invalid",
	domain.CodeMalformed:    "malformed-json",
	domain.CodeNotFound:     "not-found",
	domain.CodeConflict:     "conflict",
	domain.CodeStale:        "stale",
	domain.CodeForbidden:    "forbidden",
	domain.CodeUnauthorized: "unauthorized",
	domain.CodeTooLarge:     "too-large",
	domain.CodeUnavailable:  "unavailable",

	domain.CodeUnprocessable: "unprocessable",
}

// toProblem maps any error to a problem; the one place statuses are chosen.
func toProblem(err error) *Problem {
	var p *Problem
	var de *domain.Error
	var dup *store.DuplicateError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, repo.ErrBusy):
		return newProblem("busy", repo.ErrBusy.Message)
	case errors.As(err, &de):
		p = newProblem(codeSlugs[de.Code], de.Message)
		if p.Status == 0 {
			p = newProblem("internal", "")
		}
		p.Errors, p.Allowed = de.Fields, de.Allowed
		return p
	case errors.As(err, &dup):
		p = newProblem("conflict", fmt.Sprintf("another record already has this %s", dup.Field))
		p.Errors = []domain.FieldProblem{{Field: dup.Field, Problem: "is already used by another record; choose a different value"}}
		return p
	case errors.Is(err, store.ErrNotFound):
		return newProblem("not-found", "no such record")
	case errors.Is(err, store.ErrStale):
		return newProblem("stale", "the record changed since you read it; fetch it again and re-apply your change")
	case errors.Is(err, store.ErrExists):
		return newProblem("conflict", "a record with this id already exists")
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return newProblem("not-found", "no resource at this URL")
		case http.StatusMethodNotAllowed:
			return newProblem("method", "this URL does not accept this method")
		case http.StatusRequestEntityTooLarge:
			return newProblem("too-large", "the request body exceeds the configured limit (--body-limit)")
		case http.StatusUnauthorized:
			return newProblem("unauthorized", fmt.Sprint(he.Message))
		case http.StatusUnsupportedMediaType:
			return newProblem("unsupported", fmt.Sprint(he.Message))
		}
		if he.Code >= 400 && he.Code < 500 {
			return &Problem{Type: "about:blank", Title: http.StatusText(he.Code), Status: he.Code, Detail: fmt.Sprint(he.Message)}
		}
	}
	return newProblem("internal", "")
}

// errorHandler writes every error as application/problem+json.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := *toProblem(err)
	if p.Status == http.StatusPreconditionFailed && !hasPrecondition(c.Request()) {
		// RFC 9110 keeps 412 for a precondition the client sent. A version
		// the server read itself and then lost to another writer is a
		// conflict the client resolves by sending the request again.
		p = *newProblem("busy", "the record changed while this request was being applied, and it was not applied; send it again")
	}
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 {
		s.log.Error("request failed", "err", err, "method", c.Request().Method, "path", p.Instance, "request_id", p.RequestID)
	}
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="councilapi"`)
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
	body := buf.String()
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_, _ = io.WriteString(c.Response(), body)
	}
}

// hasPrecondition reports whether the client made its request conditional
// on the state of the record (RFC 9110 section 13.1).
func hasPrecondition(r *http.Request) bool {
	return r.Header.Get("If-Match") != "" || r.Header.Get("If-Unmodified-Since") != ""
}

// decodeJSON reads a JSON body strictly: the right media type, no unknown
// members, one value, and type errors naming the field.
func decodeJSON(c echo.Context, v any, mediaTypes ...string) error {
	if len(mediaTypes) == 0 {
		mediaTypes = []string{"application/json"}
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	ok := false
	for _, want := range mediaTypes {
		ok = ok || mt == want
	}
	if !ok {
		return newProblem("unsupported", "send the body as "+strings.Join(mediaTypes, " or "))
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return newProblem("malformed-json", "the body must hold exactly one JSON value")
	}
	return nil
}

func jsonProblem(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return newProblem("too-large", "the request body exceeds the configured limit (--body-limit)")
	}
	return patch.DecodeError(err)
}

func (s *Server) problemDoc(c echo.Context) error {
	t, ok := problemTypes[c.Param("slug")]
	if !ok {
		return newProblem("not-found", "no such problem type")
	}
	return c.JSON(http.StatusOK, map[string]any{"type": "/problems/" + c.Param("slug"), "title": t.title, "status": t.status, "description": t.about})
}
