package sourcing

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// chartPalette is colour-blind safe (Okabe-Ito), so options stay
// distinguishable in print and for readers with colour vision deficiency.
var chartPalette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"}

// ChartSVG draws two panels: cumulative discounted cost per option by year
// (lines), and whole-life emissions per option split into operational and
// embodied (bars), with axis labels and a legend. Line styles cycle as well
// as colours, so more than eight options stay distinguishable.
func ChartSVG(res Result) []byte {
	const w, h, left, right, top, panelH = 820.0, 720.0, 90.0, 220.0, 50.0, 260.0
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12" role="img">`, w, h, w, h)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(res.Title+": cumulative discounted cost and emissions by option"))
	fmt.Fprintf(&b, `<rect width="%.0f" height="%.0f" fill="#ffffff"/>`, w, h)
	plotW := w - left - right

	// Panel 1: cumulative discounted cost.
	var maxCost float64
	for _, o := range res.Options {
		for _, y := range o.Years {
			maxCost = math.Max(maxCost, MoneyDec(y.CumulativeDiscounted).Float())
		}
	}
	costTop := niceCeil(maxCost)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="15" font-weight="bold">Cumulative discounted cost (NPV, £) by year</text>`, left, top-20)
	x0, y0 := left, top+panelH
	axes(&b, x0, top, plotW, panelH)
	n := len(res.Years)
	xAt := func(i int) float64 {
		if n <= 1 {
			return x0 + plotW/2
		}
		return x0 + plotW*float64(i)/float64(n-1)
	}
	for i, yr := range res.Years {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, xAt(i), y0+18, yr)
	}
	for i := 0; i <= 4; i++ {
		v := costTop * float64(i) / 4
		yy := y0 - panelH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#dddddd"/>`, x0, yy, x0+plotW, yy)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, x0-6, yy+4, compact(v))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">Year</text>`, x0+plotW/2, y0+36)
	fmt.Fprintf(&b, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle">£ (discounted, cumulative)</text>`, x0-70, top+panelH/2)
	dashes := []string{"", "6 3", "2 3", "8 3 2 3"}
	for oi, o := range res.Options {
		col, dash := chartPalette[oi%len(chartPalette)], dashes[(oi/len(chartPalette))%len(dashes)]
		var pts []string
		for i, y := range o.Years {
			yy := y0 - panelH*safeDiv(MoneyDec(y.CumulativeDiscounted).Float(), costTop)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xAt(i), yy))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5" stroke-dasharray="%s" points="%s"><title>%s</title></polyline>`, col, dash, strings.Join(pts, " "), esc(o.Name))
		ly := top + 10 + float64(oi)*18
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5" stroke-dasharray="%s"/>`, x0+plotW+15, ly, x0+plotW+40, ly, col, dash)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, x0+plotW+46, ly+4, esc(truncate(o.Name, 24)))
	}

	// Panel 2: emissions per option.
	top2 := top + panelH + 100
	var maxKg float64
	for _, o := range res.Options {
		maxKg = math.Max(maxKg, o.Summary.TotalKgCO2e.Float())
	}
	kgTop := niceCeil(maxKg)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="15" font-weight="bold">Whole-life emissions by option (kgCO2e)</text>`, left, top2-20)
	y2 := top2 + panelH
	axes(&b, x0, top2, plotW, panelH)
	for i := 0; i <= 4; i++ {
		v := kgTop * float64(i) / 4
		yy := y2 - panelH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#dddddd"/>`, x0, yy, x0+plotW, yy)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, x0-6, yy+4, compact(v))
	}
	fmt.Fprintf(&b, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle">kgCO2e over the horizon</text>`, x0-70, top2+panelH/2)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">Option</text>`, x0+plotW/2, y2+36)
	slot := plotW / math.Max(float64(len(res.Options)), 1)
	for oi, o := range res.Options {
		bx, bw := x0+slot*float64(oi)+slot*0.15, slot*0.7
		op := panelH * safeDiv(o.Summary.OperationalKgCO2e.Float(), kgTop)
		em := panelH * safeDiv(o.Summary.EmbodiedKgCO2e.Float(), kgTop)
		col := chartPalette[oi%len(chartPalette)]
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s operational %s kgCO2e</title></rect>`, bx, y2-op, bw, op, col, esc(o.Name), o.Summary.OperationalKgCO2e.Fixed(0))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.45" stroke="%s"><title>%s embodied %s kgCO2e</title></rect>`, bx, y2-op-em, bw, em, col, col, esc(o.Name), o.Summary.EmbodiedKgCO2e.Fixed(0))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, bx+bw/2, y2+18, oi+1)
	}
	lx := x0 + plotW + 15
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="12" fill="#666666"/><text x="%.1f" y="%.1f">operational</text>`, lx, top2, lx+20, top2+10)
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="12" fill="#666666" fill-opacity="0.45" stroke="#666666"/><text x="%.1f" y="%.1f">embodied</text>`, lx, top2+18, lx+20, top2+28)
	for oi, o := range res.Options {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%d %s</text>`, lx, top2+52+float64(oi)*16, oi+1, esc(truncate(o.Name, 26)))
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

func axes(b *bytes.Buffer, x, top, w, h float64) {
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#000000"/>`, x, top, x, top+h)
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#000000"/>`, x, top+h, x+w, top+h)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// niceCeil rounds a maximum up to 1, 2, 2.5 or 5 times a power of ten so the
// axis ticks are round numbers.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func compact(v float64) string {
	switch {
	case v >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.2f", v/1e6), ".00") + "m"
	case v >= 1e3:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e3), ".0") + "k"
	}
	return fmt.Sprintf("%.0f", v)
}
