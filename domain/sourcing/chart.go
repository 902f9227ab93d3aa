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
// embodied (bars), with axis labels and a key below them. Line styles cycle
// as well as colours, so more than eight options stay distinguishable. The
// key numbers each option (the bars carry the numbers) and prints its whole
// name, wrapped over as many lines as it needs: a committee reads the
// chart on paper, where a name cut short cannot be looked up.
func ChartSVG(res Result) []byte {
	const w, left, right, top, panelH = 820.0, 90.0, 30.0, 50.0, 260.0
	plotW := w - left - right
	x0, y0 := left, top+panelH
	top2 := top + panelH + 100
	y2 := top2 + panelH
	keyTop := y2 + 64
	// The key: one entry per option, its name wrapped to the width left of
	// the line sample, swatch and number.
	const lineH, nameX = 15.0, left + 64
	maxChars := int(math.Floor((w - nameX - 10) / chartCharWidth))
	names := make([][]string, len(res.Options))
	keyH := 0.0
	for i, o := range res.Options {
		names[i] = wrapWords(o.Name, maxChars)
		keyH += float64(len(names[i]))*lineH + 6
	}
	h := math.Ceil(keyTop + 22 + keyH + 30)

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12" role="img">`, w, h, w, h)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(res.Title+": cumulative discounted cost and emissions by option"))
	fmt.Fprintf(&b, `<rect width="%.0f" height="%.0f" fill="#ffffff"/>`, w, h)

	// Panel 1: cumulative discounted cost.
	var maxCost float64
	for _, o := range res.Options {
		for _, y := range o.Years {
			maxCost = math.Max(maxCost, MoneyDec(y.CumulativeDiscounted).Float())
		}
	}
	costTop := niceCeil(maxCost)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="15" font-weight="bold">Cumulative discounted cost (NPV, £) by year</text>`, left, top-20)
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
	style := func(oi int) (string, string) {
		return chartPalette[oi%len(chartPalette)], chartDashes[(oi/len(chartPalette))%len(chartDashes)]
	}
	for oi, o := range res.Options {
		col, dash := style(oi)
		var pts []string
		for i, y := range o.Years {
			yy := y0 - panelH*safeDiv(MoneyDec(y.CumulativeDiscounted).Float(), costTop)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xAt(i), yy))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5" stroke-dasharray="%s" points="%s"><title>%d %s</title></polyline>`, col, dash, strings.Join(pts, " "), oi+1, esc(o.Name))
	}

	// Panel 2: emissions per option.
	var maxKg float64
	for _, o := range res.Options {
		maxKg = math.Max(maxKg, o.Summary.TotalKgCO2e.Float())
	}
	kgTop := niceCeil(maxKg)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="15" font-weight="bold">Whole-life emissions by option (kgCO2e)</text>`, left, top2-20)
	axes(&b, x0, top2, plotW, panelH)
	for i := 0; i <= 4; i++ {
		v := kgTop * float64(i) / 4
		yy := y2 - panelH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#dddddd"/>`, x0, yy, x0+plotW, yy)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, x0-6, yy+4, compact(v))
	}
	fmt.Fprintf(&b, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle">kgCO2e over the horizon</text>`, x0-70, top2+panelH/2)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">Option (numbered as in the key)</text>`, x0+plotW/2, y2+36)
	slot := plotW / math.Max(float64(len(res.Options)), 1)
	for oi, o := range res.Options {
		bx, bw := x0+slot*float64(oi)+slot*0.15, slot*0.7
		op := panelH * safeDiv(o.Summary.OperationalKgCO2e.Float(), kgTop)
		em := panelH * safeDiv(o.Summary.EmbodiedKgCO2e.Float(), kgTop)
		col, _ := style(oi)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s operational %s kgCO2e</title></rect>`, bx, y2-op, bw, op, col, esc(o.Name), o.Summary.OperationalKgCO2e.Fixed(0))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.45" stroke="%s"><title>%s embodied %s kgCO2e</title></rect>`, bx, y2-op-em, bw, em, col, col, esc(o.Name), o.Summary.EmbodiedKgCO2e.Fixed(0))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, bx+bw/2, y2+18, oi+1)
	}
	// The bars' shading, beside the panel's title.
	kx := x0 + plotW - 200
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="12" fill="#666666"/><text x="%.1f" y="%.1f">operational</text>`, kx, top2-30, kx+20, top2-20)
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="12" fill="#666666" fill-opacity="0.45" stroke="#666666"/><text x="%.1f" y="%.1f">embodied</text>`, kx+105, top2-30, kx+125, top2-20)

	// The key.
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="13" font-weight="bold">Key</text>`, left, keyTop)
	ly := keyTop + 22
	for oi := range res.Options {
		col, dash := style(oi)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5" stroke-dasharray="%s"/>`, left, ly-4, left+28, ly-4, col, dash)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`, left+34, ly-14, col)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-weight="bold">%d</text>`, left+50, ly, oi+1)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">`, nameX, ly)
		for li, line := range names[oi] {
			if li == 0 {
				fmt.Fprintf(&b, `<tspan x="%.1f">%s</tspan>`, nameX, esc(line))
			} else {
				fmt.Fprintf(&b, `<tspan x="%.1f" dy="%.0f">%s</tspan>`, nameX, lineH, esc(line))
			}
		}
		b.WriteString(`</text>`)
		ly += float64(len(names[oi]))*lineH + 6
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// chartDashes are the line styles, cycled after every colour is used.
var chartDashes = []string{"", "6 3", "2 3", "8 3 2 3"}

// chartCharWidth is a generous average advance of a 12 px sans-serif
// character, so wrapped names fit whatever font the reader has.
const chartCharWidth = 7.0

// wrapWords breaks s into lines of at most max characters at spaces; a
// word longer than a line is split across lines rather than cut. Every
// character of s is kept, in order.
func wrapWords(s string, max int) []string {
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		for len(wr) > max {
			if len(cur) > 0 {
				lines = append(lines, string(cur))
				cur = nil
			}
			lines = append(lines, string(wr[:max]))
			wr = wr[max:]
		}
		switch {
		case len(cur) == 0:
			cur = wr
		case len(cur)+1+len(wr) <= max:
			cur = append(append(cur, ' '), wr...)
		default:
			lines = append(lines, string(cur))
			cur = wr
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, string(cur))
	}
	return lines
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
