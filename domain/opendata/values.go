package opendata

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Repair kinds: what CleanCell changed in a cell.
const (
	RepairWhitespace = "whitespace" // leading or trailing spaces, tabs or line breaks removed
	RepairNBSP       = "nbsp"       // non-breaking or zero-width spaces trimmed or turned into spaces
	RepairMojibake   = "mojibake"   // UTF-8 text that had been read as Windows-1252 ("Â£" for "£") decoded again
)

// CleanCell trims a cell and repairs what spreadsheets and exports do to
// text: stray whitespace, non-breaking and zero-width spaces, and mojibake
// (UTF-8 bytes decoded as Windows-1252, so "£" became "Â£" and "’" became
// "â€™"). It returns the cleaned text and the repairs made, in the order
// above; a clean cell costs one scan and no allocation.
func CleanCell(s string) (string, []string) {
	if cleanASCII(s) {
		return s, nil
	}
	var repairs []string
	if fixed := repairMojibake(s); fixed != s {
		s = fixed
		repairs = append(repairs, RepairMojibake)
	}
	if strings.ContainsFunc(s, oddSpace) {
		s = strings.Map(func(r rune) rune {
			switch {
			case r == '\u200b' || r == '\ufeff':
				return -1 // zero-width: dropped
			case oddSpace(r):
				return ' '
			}
			return r
		}, s)
		repairs = append(repairs, RepairNBSP)
	}
	if t := strings.TrimSpace(s); t != s {
		s = t
		if len(repairs) == 0 || repairs[len(repairs)-1] != RepairNBSP {
			repairs = append(repairs, RepairWhitespace)
		}
	}
	return s, repairs
}

// cleanASCII is the fast path: ASCII text with nothing to trim.
func cleanASCII(s string) bool {
	if s == "" {
		return true
	}
	if isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

// oddSpace reports the spaces that look like a space (or nothing) but are
// not one: NBSP from Excel and web pages, figure and narrow spaces, and the
// zero-width ones.
func oddSpace(r rune) bool {
	switch r {
	case '\u00a0', '\u2007', '\u202f', '\u200b', '\ufeff', '\u2009', '\u3000':
		return true
	}
	return false
}

// repairMojibake decodes again every run of characters that, written back
// as Windows-1252 bytes, forms valid multi-byte UTF-8. A lone "£" or "é"
// is not such a run (0xA3 alone is not UTF-8), so correct text is left
// alone; doubly mangled text is repaired in up to three rounds.
func repairMojibake(s string) string {
	for range 3 {
		next := repairMojibakeOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

func repairMojibakeOnce(s string) string {
	var b strings.Builder
	var run []byte
	runStart := -1
	changed := false
	flush := func(end int) {
		if runStart < 0 {
			return
		}
		if len(run) >= 2 && utf8.Valid(run) && utf8.RuneCount(run) < utf8.RuneCountInString(s[runStart:end]) {
			b.Write(run)
			changed = true
		} else {
			b.WriteString(s[runStart:end])
		}
		run, runStart = run[:0], -1
	}
	for i, r := range s {
		if c, ok := cp1252Byte(r); ok && c >= 0x80 {
			if runStart < 0 {
				runStart = i
			}
			run = append(run, c)
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(s))
	if !changed {
		return s
	}
	return b.String()
}

// cp1252Byte is the Windows-1252 byte of r; C1 controls map to themselves,
// as Latin-1 decoders leave the bytes Windows-1252 does not define.
func cp1252Byte(r rune) (byte, bool) {
	if r >= 0x80 && r <= 0x9f {
		return byte(r), true
	}
	return charmap.Windows1252.EncodeRune(r)
}

// Missing-value reasons: why a cell holds no value.
const (
	MissingEmpty         = "empty"
	MissingRedacted      = "redacted"       // withheld, e.g. personal data under the Code's exemptions
	MissingNotApplicable = "not applicable" // N/A, NA
	MissingNull          = "null"           // a database export's NULL
	MissingNotKnown      = "not known"
)

// missingMarkers are the cell texts, folded by missingKey, that say a value
// is absent and why.
var missingMarkers = map[string]string{
	"": MissingEmpty, "na": MissingNotApplicable, "n/a": MissingNotApplicable, "n.a.": MissingNotApplicable,
	"n.a": MissingNotApplicable, "not applicable": MissingNotApplicable, "null": MissingNull, "#n/a": MissingNotApplicable,
	"redacted": MissingRedacted, "redaction": MissingRedacted, "withheld": MissingRedacted, "personal data": MissingRedacted,
	"personal redaction": MissingRedacted, "redacted personal data": MissingRedacted, "redacted - personal data": MissingRedacted,
	"redacted (personal data)": MissingRedacted, "personal information": MissingRedacted, "redacted personal information": MissingRedacted,
	"private individual": MissingRedacted, "name withheld": MissingRedacted, "redacted personal": MissingRedacted,
	"not known": MissingNotKnown, "unknown": MissingNotKnown,
}

// ParseMissing reports whether a cell means "no value" and why: empty,
// Redacted (and its spellings, including a run of asterisks), N/A or NA,
// NULL, not known.
func ParseMissing(s string) (reason string, missing bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.Trim(s, "*") == "" {
		return MissingRedacted, true
	}
	if len(s) > 40 {
		return "", false
	}
	l := strings.ToLower(s)
	if reason, missing = missingMarkers[l]; missing {
		return reason, true
	}
	// "Redacted - personal data", "REDACTED (GDPR)", "Redacted: sole trader"
	if strings.HasPrefix(l, "redacted") {
		return MissingRedacted, true
	}
	return "", false
}

// ParseAmount reads an amount of pounds as councils write them: "1234.5",
// "£1,234.56", "£ 1,234.56", "-£600", "£-600", "(600.00)" and "600.00-" for
// a credit, "600.00 CR", or "GBP 700".
func ParseAmount(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	if t, ok := strings.CutSuffix(s, "CR"); ok {
		neg, s = !neg, strings.TrimSpace(t)
	}
	if t, ok := strings.CutSuffix(s, "-"); ok && t != "" {
		neg, s = !neg, strings.TrimSpace(t) // SAP and Agresso exports put the minus last
	}
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, strings.TrimSpace(s[1:])
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "£"), "GBP"))
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, s[1:]
	}
	f, ok := unsignedNumber(s)
	if neg {
		f = -f
	}
	return f, ok
}

// parseNumber reads a plain coordinate-style number, allowing thousands
// separators ("447,100.5") as spreadsheets format them.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	f, ok := unsignedNumber(strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+"))
	if strings.HasPrefix(s, "-") {
		f = -f
	}
	return f, ok
}

// unsignedNumber reads digits, optionally in comma-separated groups of
// three, with an optional decimal part: "1,234.56", "600", ".5".
func unsignedNumber(s string) (float64, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !digits(whole) && !(whole == "" && hasFrac) {
		return 0, false
	}
	if hasFrac && !allDigits(frac) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	return f, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
