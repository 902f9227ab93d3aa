package opendata

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/jointict/councilapi/domain"
)

// Encoding is a character encoding a CSV file arrives in; files are always
// decoded to UTF-8.
type Encoding string

const (
	EncodingUTF8        Encoding = "UTF-8"
	EncodingUTF16LE     Encoding = "UTF-16LE" // Excel's "Unicode text"
	EncodingUTF16BE     Encoding = "UTF-16BE"
	EncodingWindows1252 Encoding = "windows-1252"
)

// Delimiters are the cell separators detection chooses from, in order of
// preference when the sample cannot tell them apart.
var Delimiters = []rune{',', ';', '\t', '|'}

const (
	sampleBytes = 64 << 10
	// DefaultMaxRecordBytes bounds one row. Beyond it a file almost always has
	// an unclosed quote that would swallow the rest of it into one cell, and
	// the reader stops rather than hold the file in memory.
	DefaultMaxRecordBytes = 4 << 20
)

// ReadOptions tune a CSV reader. The zero value detects everything.
type ReadOptions struct {
	Encoding       Encoding // "" detects
	Delimiter      rune     // 0 detects
	NoHeader       bool     // the first row is data; columns are named column_1, column_2, …
	MaxProblems    int      // 0 means DefaultMaxProblems
	MaxRecordBytes int      // 0 means DefaultMaxRecordBytes
	// Progress, when set, is called with the raw bytes read so far about
	// every megabyte, for a job's progress percent.
	Progress func(bytesRead int64)
}

// DetectEncoding decides the encoding from the first bytes of a file and
// says how many bytes of byte order mark to skip. Bytes that are not valid
// UTF-8 mean Windows-1252, the encoding Excel on Windows saves CSV in.
func DetectEncoding(sample []byte) (enc Encoding, bomLen int) {
	switch {
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		return EncodingUTF8, 3
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return EncodingUTF16LE, 2
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return EncodingUTF16BE, 2
	}
	// The sample may end inside a character; only whole ones are judged.
	end := len(sample)
	for i := 1; i <= 3 && end-i >= 0; i++ {
		if utf8.RuneStart(sample[end-i]) {
			if !utf8.FullRune(sample[end-i:]) {
				sample = sample[:end-i]
			}
			break
		}
	}
	if utf8.Valid(sample) {
		return EncodingUTF8, 0
	}
	return EncodingWindows1252, 0
}

// utf8Fallback passes valid UTF-8 through and decodes any invalid byte as
// Windows-1252: a file whose first 64 KB were plain ASCII may still hold a
// "£" saved by Excel further on, and that must not become U+FFFD.
type utf8Fallback struct{ replaced int64 }

func (t *utf8Fallback) Reset() {}

func (t *utf8Fallback) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size == 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			r = charmap.Windows1252.DecodeByte(c)
			t.replaced++
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += size
	}
	return nDst, nSrc, nil
}

// DecodeReader detects the encoding of r (unless enc is given) and returns a
// reader of its text as UTF-8, without the byte order mark, plus what it
// found. Nothing beyond a 64 KB sample is buffered.
func DecodeReader(r io.Reader, enc Encoding) (io.Reader, Encoding, bool, error) {
	br := bufio.NewReaderSize(r, sampleBytes)
	sample, err := br.Peek(sampleBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", false, err
	}
	detected, bomLen := DetectEncoding(sample)
	if enc == "" {
		enc = detected
	}
	if bomLen > 0 && (enc == detected) {
		_, _ = br.Discard(bomLen)
	}
	bom := bomLen > 0
	switch enc {
	case EncodingUTF8:
		return transform.NewReader(br, &utf8Fallback{}), enc, bom, nil
	case EncodingWindows1252:
		return transform.NewReader(br, charmap.Windows1252.NewDecoder()), enc, bom, nil
	case EncodingUTF16LE:
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), enc, bom, nil
	case EncodingUTF16BE:
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), enc, bom, nil
	}
	return nil, "", false, domain.Errorf(domain.CodeInvalid, "encoding %q is not supported; use UTF-8 or windows-1252", enc)
}

// DetectDelimiter picks the delimiter from decoded sample text: the
// candidate that occurs, outside quotes, the same non-zero number of times on
// the most records. A file with none of them has one column and gets a comma.
func DetectDelimiter(sample string) rune {
	counts := make(map[rune][]int, len(Delimiters))
	cur := make(map[rune]int, len(Delimiters))
	inQuote, records := false, 0
	flush := func() {
		for _, d := range Delimiters {
			counts[d] = append(counts[d], cur[d])
			cur[d] = 0
		}
		records++
	}
	complete := false
	for _, r := range sample {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '\n':
			flush()
			complete = true
		case r == '\r':
		default:
			for _, d := range Delimiters {
				if r == d {
					cur[d]++
				}
			}
		}
		if records >= 200 {
			break
		}
	}
	// An unfinished last line is only used when it is the whole sample.
	if !complete && !inQuote {
		flush()
	}
	best, bestScore, bestMode := ',', 0.0, 0
	for _, d := range Delimiters {
		freq := map[int]int{}
		for _, c := range counts[d] {
			if c > 0 {
				freq[c]++
			}
		}
		mode, modeN := 0, 0
		for c, n := range freq {
			if n > modeN || (n == modeN && c > mode) {
				mode, modeN = c, n
			}
		}
		if mode == 0 || len(counts[d]) == 0 {
			continue
		}
		score := float64(modeN) / float64(len(counts[d]))
		if score > bestScore || (score == bestScore && mode > bestMode) {
			best, bestScore, bestMode = d, score, mode
		}
	}
	return best
}

// guard counts the raw bytes read and refuses to read more than a limit
// between two rows, which bounds the memory one row can take.
type guard struct {
	r        io.Reader
	total    int64
	sinceRow int64
	limit    int64
	progress func(int64)
	nextTick int64
}

var errRecordTooLong = errors.New("record too long")

func (g *guard) Read(p []byte) (int, error) {
	if g.sinceRow > g.limit {
		return 0, errRecordTooLong
	}
	n, err := g.r.Read(p)
	g.total += int64(n)
	g.sinceRow += int64(n)
	if g.progress != nil && g.total >= g.nextTick {
		g.progress(g.total)
		g.nextTick = g.total + 1<<20
	}
	return n, err
}

// Reader streams the rows of a CSV file after detecting its encoding,
// delimiter and header, recording row-level problems in its report.
type Reader struct {
	cr        *csv.Reader
	raw, text *guard
	enc       Encoding
	bom       bool
	delim     rune
	header    []string
	row, line int64
	report    Report
	padded    []string
	// blankFrom is the first row of a run of empty rows not yet reported.
	blankFrom, blankLine int64
}

// NewReader prepares to read a CSV file. It fails only when the file cannot
// be read as CSV at all (empty, unreadable header, unsupported encoding).
func NewReader(r io.Reader, opt ReadOptions) (*Reader, error) {
	limit := int64(opt.MaxRecordBytes)
	if limit <= 0 {
		limit = DefaultMaxRecordBytes
	}
	raw := &guard{r: r, limit: 1 << 62, progress: opt.Progress}
	text, enc, bom, err := DecodeReader(raw, opt.Encoding)
	if err != nil {
		return nil, err
	}
	tg := &guard{r: text, limit: limit}
	br := bufio.NewReaderSize(tg, sampleBytes)
	sample, _ := br.Peek(sampleBytes / 2)
	crOnly := bytes.IndexByte(sample, '\r') >= 0 && bytes.IndexByte(sample, '\n') < 0
	if crOnly {
		// Classic Mac OS and some finance exports end lines with a bare CR,
		// which encoding/csv would read as one enormous row.
		br = bufio.NewReaderSize(transform.NewReader(br, crToLF{}), sampleBytes)
		sample, _ = br.Peek(sampleBytes / 2)
	}
	delim := opt.Delimiter
	if delim == 0 {
		delim = DetectDelimiter(string(sample))
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rd := &Reader{cr: cr, raw: raw, text: tg, enc: enc, bom: bom, delim: delim}
	rd.report.limit = opt.MaxProblems
	if crOnly {
		rd.report.repaired("(file)", "line endings", 0, "\r", "\n")
	}
	first, err := rd.read()
	if err == io.EOF {
		return nil, domain.Errorf(domain.CodeInvalid, "the file is empty: a CSV file needs a header row and data rows")
	}
	if err != nil {
		return nil, err
	}
	if opt.NoHeader {
		rd.header = make([]string, len(first))
		for i := range first {
			rd.header[i] = fmt.Sprintf("column_%d", i+1)
		}
		rd.padded = append([]string(nil), first...)
		return rd, nil
	}
	rd.header = rd.cleanHeader(first)
	return rd, nil
}

func (rd *Reader) cleanHeader(rec []string) []string {
	// Excel appends empty cells after the last heading; they are dropped.
	for len(rec) > 1 && strings.TrimSpace(rec[len(rec)-1]) == "" {
		rec = rec[:len(rec)-1]
	}
	h := make([]string, len(rec))
	seen := map[string]int{}
	for i, name := range rec {
		name = rd.clean(strings.TrimPrefix(name, "\uFEFF"), "(header)", 0)
		if name == "" {
			name = fmt.Sprintf("column_%d", i+1)
			rd.report.Add(RowProblem{Line: 1, Column: name, Severity: SeverityWarning,
				Message: fmt.Sprintf("column %d has no heading; it is called %s", i+1, name)})
		}
		key := strings.ToLower(name)
		if n := seen[key]; n > 0 {
			renamed := fmt.Sprintf("%s_%d", name, n+1)
			rd.report.Add(RowProblem{Line: 1, Column: renamed, Severity: SeverityWarning,
				Message: fmt.Sprintf("heading %q is repeated; column %d is called %s", name, i+1, renamed)})
			name = renamed
		}
		seen[key]++
		h[i] = name
	}
	return h
}

// read returns the next record with parse errors reported and skipped.
func (rd *Reader) read() ([]string, error) {
	for {
		rd.text.sinceRow = 0
		rec, err := rd.cr.Read()
		var pe *csv.ParseError
		switch {
		case err == nil:
			line, _ := rd.cr.FieldPos(0)
			rd.line = int64(line)
			return rec, nil
		case errors.As(err, &pe) && !errors.Is(err, errRecordTooLong):
			rd.row++
			rd.report.Add(RowProblem{Row: rd.row, Line: int64(pe.StartLine), Severity: SeverityError,
				Message: fmt.Sprintf("cannot be read: %v at line %d column %d; check its quotes (a quote inside a cell is written twice)",
					pe.Err, pe.Line, pe.Column)})
		case errors.Is(err, errRecordTooLong):
			rd.report.Add(RowProblem{Row: rd.row + 1, Severity: SeverityError,
				Message: fmt.Sprintf("is longer than %d bytes, which usually means a quote that is never closed; reading stopped here", rd.text.limit)})
			return nil, domain.Errorf(domain.CodeInvalid, "row %d is too long to be a real row; look for an unclosed quote", rd.row+1)
		default:
			return nil, err
		}
	}
}

// Next returns the next data row, always with exactly one cell per column
// (short rows are padded, extra cells dropped, both reported), its cells
// trimmed and repaired (see CleanCell; each repair is counted in the
// report), or io.EOF. The slice is reused by the following call.
func (rd *Reader) Next() ([]string, error) {
	for {
		var rec []string
		if rd.padded != nil {
			rec, rd.padded = rd.padded, nil
			rd.line = 1
		} else {
			var err error
			if rec, err = rd.read(); err != nil {
				if err == io.EOF {
					rd.Finish()
				}
				return nil, err
			}
		}
		rd.row++
		if blankRecord(rec) {
			// The row keeps its number, so numbers still match the file's lines.
			if rd.blankFrom == 0 {
				rd.blankFrom, rd.blankLine = rd.row, rd.line
			}
			continue
		}
		rd.flushBlank(rd.row - 1)
		n := len(rd.header)
		switch {
		case len(rec) < n:
			rd.report.Add(RowProblem{Row: rd.row, Line: rd.line, Severity: SeverityError,
				Message: fmt.Sprintf("has %d cells but the header has %d columns", len(rec), n)})
			for len(rec) < n {
				rec = append(rec, "")
			}
		case len(rec) > n:
			if !blankRecord(rec[n:]) {
				rd.report.Add(RowProblem{Row: rd.row, Line: rd.line, Severity: SeverityError,
					Message: fmt.Sprintf("has %d cells but the header has %d columns; the extra cells are not in any column", len(rec), n)})
			}
			rec = rec[:n]
		}
		for i, cell := range rec {
			rec[i] = rd.clean(cell, rd.header[i], rd.row)
		}
		return rec, nil
	}
}

// clean repairs one cell, counting what it changed.
func (rd *Reader) clean(cell, column string, row int64) string {
	cleaned, repairs := CleanCell(cell)
	for _, kind := range repairs {
		rd.report.repaired(column, kind, row, cell, cleaned)
	}
	return cleaned
}

// flushBlank reports the run of empty rows that ended at row last, once
// for the run: Excel leaves hundreds of ",,,," lines at the end of a sheet.
func (rd *Reader) flushBlank(last int64) {
	if rd.blankFrom == 0 {
		return
	}
	msg := "is empty and was skipped"
	if last > rd.blankFrom {
		msg = fmt.Sprintf("is the first of %d empty rows (to row %d), skipped", last-rd.blankFrom+1, last)
	}
	rd.report.Add(RowProblem{Row: rd.blankFrom, Line: rd.blankLine, Severity: SeverityWarning, Message: msg})
	rd.blankFrom = 0
}

// Finish reports what only the end of the file shows (a run of empty rows
// at the end). Next calls it on reaching the end; calling it again is
// harmless.
func (rd *Reader) Finish() { rd.flushBlank(rd.row) }

// crToLF turns bare carriage returns into line feeds.
type crToLF struct{ transform.NopResetter }

func (crToLF) Transform(dst, src []byte, atEOF bool) (int, int, error) {
	n := copy(dst, src)
	for i := range n {
		if dst[i] == '\r' {
			dst[i] = '\n'
		}
	}
	if n < len(src) {
		return n, n, transform.ErrShortDst
	}
	return n, n, nil
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Header returns the column names, trimmed and made unique.
func (rd *Reader) Header() []string { return rd.header }

// Encoding returns the detected (or given) encoding.
func (rd *Reader) Encoding() Encoding { return rd.enc }

// BOM reports whether the file started with a byte order mark.
func (rd *Reader) BOM() bool { return rd.bom }

// Delimiter returns the cell separator in use.
func (rd *Reader) Delimiter() rune { return rd.delim }

// Row returns the data-row number of the row Next last returned.
func (rd *Reader) Row() int64 { return rd.row }

// Line returns the line on which that row starts.
func (rd *Reader) Line() int64 { return rd.line }

// BytesRead returns the raw bytes consumed so far.
func (rd *Reader) BytesRead() int64 { return rd.raw.total }

// Report returns the problems found so far.
func (rd *Reader) Report() *Report { return &rd.report }
