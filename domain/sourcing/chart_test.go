package sourcing

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// chartKey reads the names in a chart's key: each <text> of tspans is one
// option's name, its lines joined with spaces.
func chartKey(t *testing.T, svg []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var names []string
	var cur []string
	inName := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			if v.Name.Local == "tspan" {
				inName = true
			}
		case xml.EndElement:
			switch v.Name.Local {
			case "tspan":
				inName = false
			case "text":
				if len(cur) > 0 {
					names = append(names, strings.Join(cur, " "))
					cur = nil
				}
			}
		case xml.CharData:
			if inName {
				cur = append(cur, string(v))
			}
		}
	}
	return names
}

// TestChartKeyNeverTruncatesNames: a G-Cloud service name of 150
// characters, and one long unbroken word, print whole in the key, wrapped
// over several lines that each fit the chart's width.
func TestChartKeyNeverTruncatesNames(t *testing.T) {
	c := workedExample()
	long := "Microsoft Azure virtual machines (Windows Server 2022 Datacenter, UK South and UK West regions, with Azure Backup and Site Recovery) for Revenues & Benefits"
	word := strings.Repeat("Supercalifragilistic", 6)
	c.CloudOptions[0].Name, c.CloudOptions[1].Name = long, word
	res, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	svg := ChartSVG(res)
	if bytes.ContainsRune(svg, '…') {
		t.Error("the chart shortens a name with an ellipsis")
	}
	key := chartKey(t, svg)
	if len(key) != len(res.Options) {
		t.Fatalf("the key has %d names for %d options: %q", len(key), len(res.Options), key)
	}
	for i, o := range res.Options {
		got := key[i]
		if o.Name == word {
			got = strings.ReplaceAll(got, " ", "") // split across lines, every letter kept
		}
		if got != o.Name {
			t.Errorf("key entry %d is %q, want the whole name %q", i+1, got, o.Name)
		}
	}
	if n := bytes.Count(svg, []byte("<tspan")); n < len(res.Options)+2 {
		t.Errorf("%d key lines: the long names should wrap", n)
	}
	for _, line := range wrapWords(long, 40) {
		if len([]rune(line)) > 40 {
			t.Errorf("a wrapped line is %d characters: %q", len([]rune(line)), line)
		}
	}
	if got := strings.Join(wrapWords(long, 40), " "); got != long {
		t.Errorf("wrapping changes the name: %q", got)
	}
}
