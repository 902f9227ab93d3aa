package api

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jointict/councilapi/domain/opendata"
)

// pageFuncs are the templates' formatting helpers, British style.
var pageFuncs = template.FuncMap{
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return ukDate(v)
		case *time.Time:
			if v != nil {
				return ukDate(*v)
			}
		}
		return ""
	},
	"isodate": func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"size":    humanSize,
	"count":   func(n int64) string { return thousands(n) },
	"paras":   paragraphs,
}

func ukDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

// humanSize writes a byte count the way GOV.UK pages do: 1024-based units
// with one decimal below 10.
func humanSize(n int64) string {
	if n < 1024 {
		if n == 1 {
			return "1 byte"
		}
		return fmt.Sprintf("%d bytes", n)
	}
	units := []string{"KB", "MB", "GB", "TB"}
	f := float64(n) / 1024
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f < 10 {
		return fmt.Sprintf("%.1f %s", f, units[i])
	}
	return fmt.Sprintf("%.0f %s", f, units[i])
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// paragraphs splits a description on blank lines; the template escapes
// each paragraph, so publishers' text can never become markup.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// snippet shortens text to at most n characters, at a word boundary.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

func formatLabel(code string) string {
	if f, ok := opendata.LookupFormat(code); ok {
		return f.Label
	}
	return strings.ToUpper(code)
}

func formatLabels(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = formatLabel(c)
	}
	return out
}

func themeTitle(slug string) string {
	if t, ok := opendata.LookupTheme(slug); ok {
		return t.Title
	}
	return slug
}

func licenceTitle(id string) string {
	if l, ok := opendata.LookupLicence(id); ok {
		return l.Title
	}
	return id
}
