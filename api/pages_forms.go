package api

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain/capital"
	"github.com/jointict/councilapi/domain/procurement"
)

// The forms of the officers' and publishers' pages. A form is declared in
// Go (each input's name, label, hint and kind) and laid out by its
// template with {{template "form-field" ($f.Field "title")}}, so a label is
// written once and the error summary can name the field it links to.
//
// A form posts to the page that shows it. A refused submission (invalid
// input, a 409 naming the facts a move lacks) renders the same page again
// with the values as typed, each problem beside its input and a summary
// at the top linking to each; a 403 or 404 is the site's error page. An
// accepted one redirects (303) to the page showing the result.
//
// Input names are the use case's field names where they correspond
// ("estimatedValue", "shares.method", "baseline.bdc"), so the problems the
// use case returns find their inputs without a table of aliases.

// formInput is one input of a form.
type formInput struct {
	Name, Label, Hint string
	// Kind is text, email, number, date, money, textarea, select, radios,
	// checkboxes, checkbox (a single yes), file or hidden.
	Kind    string
	Options []option
	// Width narrows a text input to about this many characters (0: full).
	Width        int
	Autocomplete string
	// Section is the heading the input is laid out under (in order).
	Section string
}

// pageForm is a form as a page shows it.
type pageForm struct {
	Action string
	Values url.Values
	// Message is the refusal's own words when they say more than its fields.
	Message  string
	Problems []formProblem
	// Status is the HTTP status of the page showing a refused submission.
	Status int
	inputs []formInput
	// strip is a prefix of the use case's field names the form's inputs
	// leave out, such as "awards[0]." on the form recording one award.
	strip  string
	labels map[string]string
	// aliases send the problems of a use case's field to an input of
	// another name ("format" to the file input).
	aliases map[string]string
	// shown names the inputs the template has drawn (Input), so Rest can
	// carry the others as hidden inputs and an edit loses nothing the
	// form omits.
	shown map[string]bool
}

// formProblem is one line of the error summary.
type formProblem struct {
	Field string // the input's name; "" when no input holds it
	Href  string
	Text  string
}

// newForm is a form posting to action with these inputs, showing values.
func newForm(action string, values url.Values, inputs ...formInput) *pageForm {
	if values == nil {
		values = url.Values{}
	}
	return &pageForm{Action: action, Values: values, inputs: inputs, labels: map[string]string{}, aliases: map[string]string{},
		shown: map[string]bool{}}
}

// posted is the form filled in with what the request posted.
func posted(c echo.Context, action string, inputs ...formInput) *pageForm {
	vals, _ := c.FormParams()
	return newForm(action, vals, inputs...)
}

// label names a field of the use case's problems that no input holds
// (a fact a lifecycle move needs), for the error summary.
func (f *pageForm) label(field, text string) *pageForm {
	f.labels[field] = text
	return f
}

// formSection is a run of inputs under one heading.
type formSection struct {
	Title string
	Names []string
}

// Sections are the form's inputs by heading, in order, for templates that
// lay a whole form out: {{range $f.Sections}}…{{range .Names}}{{template
// "form-field" ($f.Field .)}}{{end}}{{end}}.
func (f *pageForm) Sections() []formSection {
	var out []formSection
	for i, in := range f.inputs {
		if i == 0 || in.Section != f.inputs[i-1].Section {
			out = append(out, formSection{Title: in.Section})
		}
		out[len(out)-1].Names = append(out[len(out)-1].Names, in.Name)
	}
	return out
}

// alias sends the problems of the use case's field to the input named input.
func (f *pageForm) alias(field, input string) *pageForm {
	f.aliases[field] = input
	return f
}

// formField is one input ready to lay out.
type formField struct {
	formInput
	ID, Value string
	Values    []string
	Error     string
	Described string // the ids of its hint and error, for aria-describedby
}

// Field is the input named name with its value and problem.
func (f *pageForm) Field(name string) (formField, error) {
	i := slices.IndexFunc(f.inputs, func(in formInput) bool { return in.Name == name })
	if i < 0 {
		return formField{}, fmt.Errorf("the form has no input %q", name)
	}
	in := f.inputs[i]
	ff := formField{formInput: in, ID: inputID(name), Value: f.Values.Get(name), Values: f.Values[name]}
	for _, p := range f.Problems {
		if p.Field == name {
			ff.Error = p.Text
			break
		}
	}
	var ids []string
	if in.Hint != "" {
		ids = append(ids, ff.ID+"-hint")
	}
	if ff.Error != "" {
		ids = append(ids, ff.ID+"-error")
	}
	ff.Described = strings.Join(ids, " ")
	ff.Options = slices.Clone(in.Options)
	for j := range ff.Options {
		o := &ff.Options[j]
		o.Selected = slices.Contains(ff.Values, o.Value) || (len(ff.Values) == 0 && o.Selected)
	}
	return ff, nil
}

// OptionID is the id of option j of a radio or checkbox group.
func (ff formField) OptionID(j int) string {
	if j == 0 {
		return ff.ID // the first option is what the error summary links to
	}
	return ff.ID + "-" + strconv.Itoa(j)
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func inputID(name string) string {
	return strings.Trim(idUnsafe.ReplaceAllString(name, "-"), "-")
}

// problem adds a problem with the input or field named field.
func (f *pageForm) problem(field, text string) {
	if f.Status == 0 {
		f.Status = http.StatusBadRequest
	}
	field = strings.TrimPrefix(field, f.strip)
	if a, ok := f.aliases[field]; ok {
		field = a
	}
	p := formProblem{Text: f.sentence(field, text)}
	if name := f.inputFor(field); name != "" {
		p.Field, p.Href = name, "#"+inputID(name)
	}
	f.Problems = append(f.Problems, p)
}

// inputFor is the input a problem with field belongs to: the input of that
// name, or of the longest name field starts with ("cpv[1]" is the cpv
// input's). On a form its template draws (no declared inputs) it is the
// input the field names.
func (f *pageForm) inputFor(field string) string {
	if len(f.inputs) == 0 {
		if _, ok := parsePath(field); ok {
			return field
		}
		return ""
	}
	best := ""
	for _, in := range f.inputs {
		n := in.Name
		if in.Kind == "hidden" || len(n) <= len(best) {
			continue
		}
		if field == n || strings.HasPrefix(field, n+"[") || strings.HasPrefix(field, n+".") {
			best = n
		}
	}
	return best
}

// sentence writes a problem after its field's label: "Title is required",
// "Supplier: give the supplier's name".
func (f *pageForm) sentence(field, text string) string {
	label := f.labels[field]
	if name := f.inputFor(field); label == "" && name != "" {
		if i := slices.IndexFunc(f.inputs, func(in formInput) bool { return in.Name == name }); i >= 0 {
			label = f.inputs[i].Label
		} else {
			label = upperFirst(fieldLabel(name)) // drawn by its template
		}
	}
	if label == "" {
		return upperFirst(text) // a fact no input holds, said in full
	}
	for _, verb := range []string{"is ", "are ", "must ", "needs ", "repeats ", "add up ", "cannot "} {
		if strings.HasPrefix(text, verb) {
			return label + " " + text
		}
	}
	return label + ": " + text
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// Multipart reports a form that uploads a file.
func (f *pageForm) Multipart() bool {
	return slices.ContainsFunc(f.inputs, func(in formInput) bool { return in.Kind == "file" })
}

// errorTitle starts the title of a page showing a refused form, so a
// screen reader says so first.
const errorTitle = "Error: "

// title is a page's title, marked when the form has problems.
func (f *pageForm) title(t string) string {
	if f.ok() {
		return t
	}
	return errorTitle + t
}

// ok reports a form with no problems so far.
func (f *pageForm) ok() bool { return len(f.Problems) == 0 }

// refused takes a use case's refusal of the submission into the form: a
// client error other than 401, 403 and 404, whose problems are the form's.
// It reports false for anything else, which the handler returns as is.
func (f *pageForm) refused(err error) bool {
	p := toProblem(err)
	switch p.Status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusPreconditionFailed, http.StatusRequestEntityTooLarge,
		http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
	default:
		return false
	}
	f.Status = p.Status
	if p.Status == http.StatusPreconditionFailed {
		f.Problems = append(f.Problems, formProblem{Text: "Someone else changed this record while you had the form open: check what they changed, then submit the form again"})
		f.Values.Del("version")
		return true
	}
	if len(p.Errors) == 0 || p.Status == http.StatusConflict {
		f.Message = upperFirst(strings.TrimSuffix(messageBeforeFacts(p.Detail), "."))
	}
	for _, e := range p.Errors {
		f.problem(e.Field, e.Problem)
	}
	if len(f.Problems) == 0 {
		f.Problems = append(f.Problems, formProblem{Text: f.Message})
		f.Message = ""
	}
	return true
}

// messageBeforeFacts drops the list of facts a conflict's message repeats
// after its colon; the page lists them one by one.
func messageBeforeFacts(detail string) string {
	if i := strings.Index(detail, " needs facts that are missing or inconsistent: "); i > 0 {
		return detail[:i] + " needs facts that are missing or inconsistent"
	}
	return detail
}

// Reading typed values. Each reader records a problem for a value it
// cannot read and returns the zero value, which the use case is never
// given: a handler calls the use case only when f.ok().

// text is an input's value trimmed, with a text area's line ends as
// browsers send them (CRLF) read as the new lines they are.
func (f *pageForm) text(name string) string {
	return strings.TrimSpace(strings.ReplaceAll(f.Values.Get(name), "\r\n", "\n"))
}

// list splits an input on commas and new lines.
func (f *pageForm) list(name string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(f.Values.Get(name), func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// all is every value a group of checkboxes posted.
func (f *pageForm) all(name string) []string {
	var out []string
	for _, v := range f.Values[name] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (f *pageForm) yes(name string) bool { return f.Values.Get(name) != "" }

func (f *pageForm) money(name string) procurement.Pence {
	v := strings.ReplaceAll(f.text(name), " ", "")
	if v == "" {
		return 0
	}
	p, err := procurement.ParsePence(v)
	if err != nil {
		f.problem(name, "must be an amount in pounds, such as 1250 or £1,250.00")
	}
	return p
}

func (f *pageForm) whole(name string) int {
	v := strings.ReplaceAll(f.text(name), ",", "")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.problem(name, "must be a whole number, such as 36")
	}
	return n
}

func (f *pageForm) day(name string) procurement.Date {
	v := f.text(name)
	if v == "" {
		return procurement.Date{}
	}
	d, err := procurement.ParseDate(v)
	if err != nil {
		f.problem(name, "must be a date such as 2026-04-01")
	}
	return d
}

// version is the record version the form was shown with (0 when none),
// so a change made meanwhile by someone else is not overwritten.
func (f *pageForm) version() int64 {
	n, _ := strconv.ParseInt(f.text("version"), 10, 64)
	return n
}

// given hands a use case's Decode the value a form built.
func given[T any](in T) func(v any) error {
	return func(v any) error {
		p, ok := v.(*T)
		if !ok {
			return fmt.Errorf("pages: the use case reads %T, the form built %T", v, in)
		}
		*p = in
		return nil
	}
}

// patchOf hands a use case's Decode a JSON merge patch built from v.
func patchOf(v any) func(any) error {
	return func(dst any) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, dst)
	}
}

// seeOther sends the browser to the page showing what it did.
func seeOther(c echo.Context, path string) error { return c.Redirect(http.StatusSeeOther, path) }

// workbenchFuncs are the officers' and publishers' pages' formatting
// helpers, beside pageFuncs; money and dates as the printable pages show them.
var workbenchFuncs = template.FuncMap{
	"gbp":    printFuncs["gbp"],
	"amount": printFuncs["amount"],
	"first":  printFuncs["first"],
	"last":   printFuncs["last"],
	"day": func(d procurement.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.Time().Format("2 January 2006")
	},
	"dayOf":  func(t time.Time) string { return procurement.DateOf(t).Time().Format("2 January 2006") },
	"state":  stateName,
	"route":  func(r procurement.Route) string { return r.Label() },
	"notice": noticeName,
	// notices says the notice codes in a use case's sentence as the page
	// names them ("publish the contract details notice").
	"notices": func(text string) string {
		for n, name := range noticeNames {
			text = strings.ReplaceAll(text, string(n), strings.ToLower(name[:1])+name[1:])
		}
		return text
	},
	"join":    joinAny,
	"upper":   upperFirst,
	"percent": func(n int) string { return strconv.Itoa(n) + "%" },
	// heading is a page's title without the "Error: " a refused form adds.
	"heading": func(title string) string { return strings.TrimPrefix(title, errorTitle) },
	// lines hands the programme-lines partial a programme and its council.
	"lines": func(p capital.Programme, org string) programmeLines { return programmeLines{P: p, Org: org} },
}

// The officers' and publishers' pages add a style sheet (checklists,
// stacked tables, progress) and a script (focus on the error summary, the
// job's progress) to the site's, by URLs with their contents' hashes.
var workbenchCSS, workbenchJS = func() (string, string) {
	assets, err := fs.Sub(pagesFS, "web/pages")
	if err != nil {
		panic(err) // embedded
	}
	return assetURL(assets, "workbench.css"), assetURL(assets, "workbench.js")
}()

// renderWorkbench renders one of the officers' or publishers' pages.
func (s *Server) renderWorkbench(c echo.Context, status int, name string, pg page) error {
	pg.Styles = append(pg.Styles, workbenchCSS)
	pg.Scripts = append(pg.Scripts, workbenchJS)
	return s.pages.render(c, status, name, pg)
}
