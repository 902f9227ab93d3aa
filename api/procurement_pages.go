package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"reflect"
	"strings"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain/procurement"
)

// The committee's printable pages: the host's register, a partner's view
// and a capital programme. Each is one self-contained HTML document (style
// sheet inlined, no script, image or font fetched), so it prints the same
// from the server, a saved file or an e-mail attachment, on A4.
//
//go:embed web/procurement
var procurementWeb embed.FS

var printCSS = func() template.CSS {
	b, err := procurementWeb.ReadFile("web/procurement/print.css")
	if err != nil {
		panic(err) // embedded above
	}
	return template.CSS(b)
}()

var printFuncs = template.FuncMap{
	"css":  func() template.CSS { return printCSS },
	"gbp":  func(p procurement.Pence) string { return p.Display() },
	"day":  func(d procurement.Date) string { return d.Time().Format("2 January 2006") },
	"join": joinAny,
	"add":  func(a, b int) int { return a + b },
	// amount shows a difference's decimal amount as money, and any other
	// value (a nature, a funding flag) as it is.
	"amount": func(s string) string {
		if p, err := procurement.ParsePence(s); err == nil {
			return p.Display()
		}
		return s
	},
	"amountIn": func(ys []procurement.YearAmount, y procurement.FinancialYear) procurement.Pence {
		for _, x := range ys {
			if x.Year == y {
				return x.Amount
			}
		}
		return 0
	},
	"yearTotals": func(es []procurement.RegisterEntry) []procurement.YearAmount {
		var total []procurement.YearAmount
		for _, e := range es {
			total = procurement.AddYears(total, e.Commitments)
		}
		return total
	},
	"first": func(ys []procurement.FinancialYear) procurement.FinancialYear { return ys[0] },
	"last":  func(ys []procurement.FinancialYear) procurement.FinancialYear { return ys[len(ys)-1] },
}

// joinAny lists a slice of strings (or string types) separated by commas.
func joinAny(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return fmt.Sprint(v)
	}
	parts := make([]string, rv.Len())
	for i := range parts {
		parts[i] = fmt.Sprint(rv.Index(i).Interface())
	}
	return strings.Join(parts, ", ")
}

var printTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"register.html", "partner.html", "programme.html"} {
		out[name] = template.Must(template.New("layout.html").Funcs(printFuncs).
			ParseFS(procurementWeb, "web/procurement/layout.html", "web/procurement/"+name))
	}
	return out
}()

// registerPage is the register with the organisations' names.
type registerPage struct{ appproc.RegisterView }

// Name is the organisation's name, or its id when it has none.
func (p registerPage) Name(id string) string { return orgNames(p.Names).Name(id) }

// printable renders a committee page.
func printable(c echo.Context, name string, data any) error {
	if v, ok := data.(appproc.RegisterView); ok {
		data = registerPage{v}
	}
	var b bytes.Buffer
	if err := printTemplates[name].Execute(&b, data); err != nil {
		return err
	}
	h := c.Response().Header()
	// Nothing in the page is fetched; its only style is inline.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	return serveDocument(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b.Bytes())
}
