package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

type dbfField struct {
	name     string
	typ      byte
	length   int
	decimals int
}

type dbfReader struct {
	r       io.Reader
	fields  []dbfField
	recLen  int
	records int
	read    int
	rec     []byte
	decoder *encoding.Decoder // nil: UTF-8 when valid, else Windows-1252
	lim     Limits
	// What was assumed about the encoding, for the notice: "" when a
	// .cpg or the caller named it.
	assumed  string
	fallback int // text values read as Windows-1252 for not being UTF-8
	hasText  bool
}

// dbfEncoding maps .cpg contents (ESRI writes "UTF-8", "1252", "ANSI 1252",
// "88591", ...) to a decoder. An empty name means "not stated".
func dbfEncoding(name string, ldid byte) (*encoding.Decoder, error) {
	n := strings.ToUpper(strings.TrimSpace(name))
	n = strings.TrimPrefix(strings.TrimPrefix(n, "ANSI "), "CP")
	switch n {
	case "":
		// The DBF language driver byte, used when there is no .cpg.
		switch ldid {
		case 0x57, 0x03:
			return charmap.Windows1252.NewDecoder(), nil
		case 0x01:
			return charmap.CodePage437.NewDecoder(), nil
		case 0x02:
			return charmap.CodePage850.NewDecoder(), nil
		}
		return nil, nil
	case "UTF-8", "UTF8", "65001":
		return unicode.UTF8.NewDecoder(), nil
	case "1252", "WINDOWS-1252":
		return charmap.Windows1252.NewDecoder(), nil
	case "88591", "8859-1", "ISO-8859-1", "ISO88591", "ISO 88591", "LATIN1":
		return charmap.ISO8859_1.NewDecoder(), nil
	case "885915", "ISO-8859-15", "ISO 885915":
		return charmap.ISO8859_15.NewDecoder(), nil
	case "437":
		return charmap.CodePage437.NewDecoder(), nil
	case "850":
		return charmap.CodePage850.NewDecoder(), nil
	}
	enc, err := htmlindex.Get(strings.TrimSpace(name))
	if err != nil {
		return nil, fmt.Errorf("unknown .cpg / DBF encoding %q: give the encoding explicitly (e.g. UTF-8, windows-1252)", name)
	}
	return enc.NewDecoder(), nil
}

func newDBFReader(r io.Reader, enc string, lim Limits) (*dbfReader, error) {
	var hdr [32]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, errors.New(".dbf is shorter than its header")
	}
	le := binary.LittleEndian
	d := &dbfReader{r: r, lim: lim,
		records: int(le.Uint32(hdr[4:8])), recLen: int(le.Uint16(hdr[10:12]))}
	headerLen := int(le.Uint16(hdr[8:10]))
	if headerLen < 33 || d.recLen < 1 {
		return nil, errors.New(".dbf header has impossible lengths")
	}
	dec, err := dbfEncoding(enc, hdr[29])
	if err != nil {
		return nil, err
	}
	d.decoder = dec
	if strings.TrimSpace(enc) == "" {
		d.assumed = "no .cpg file names the DBF's encoding and its language driver byte names none: text was read as UTF-8 where valid, else as Windows-1252"
		if dec != nil {
			d.assumed = fmt.Sprintf("no .cpg file names the DBF's encoding: text was read as code page %s, as its language driver byte (0x%02x) says", ldidName[hdr[29]], hdr[29])
		}
	}
	// Header length is 16 bits, so the descriptors are at most 64 KiB.
	desc := make([]byte, headerLen-32)
	if _, err := io.ReadFull(r, desc); err != nil {
		return nil, errors.New(".dbf field descriptors are truncated")
	}
	total := 1 // the deletion flag
	for off := 0; off+32 <= len(desc) && desc[off] != 0x0d; off += 32 {
		fd := desc[off : off+32]
		name := string(bytes.TrimRight(fd[:11], "\x00 "))
		if i := bytes.IndexByte(fd[:11], 0); i >= 0 {
			name = string(fd[:i])
		}
		f := dbfField{name: d.text([]byte(name)), typ: fd[11], length: int(fd[16]), decimals: int(fd[17])}
		if f.typ == 'C' {
			// Character fields may use the decimals byte as a length high byte.
			f.length += int(fd[17]) << 8
			d.hasText = true
		}
		total += f.length
		d.fields = append(d.fields, f)
	}
	if total != d.recLen {
		return nil, fmt.Errorf(".dbf record length %d does not match its fields (%d)", d.recLen, total)
	}
	if len(d.fields) > lim.MaxProperties {
		return nil, limitErr("more than %d .dbf fields", lim.MaxProperties)
	}
	d.rec = make([]byte, d.recLen) // at most 64 KiB: recLen is 16 bits
	return d, nil
}

// next reads one record. deleted records still keep .shp and .dbf in step.
func (d *dbfReader) next() (map[string]any, bool, error) {
	if d.read >= d.records {
		return nil, false, io.EOF
	}
	if _, err := io.ReadFull(d.r, d.rec); err != nil {
		return nil, false, fmt.Errorf(".dbf record %d: %w", d.read, io.ErrUnexpectedEOF)
	}
	d.read++
	if d.rec[0] == '*' {
		return nil, true, nil
	}
	props := make(map[string]any, len(d.fields))
	off := 1
	for _, f := range d.fields {
		raw := d.rec[off : off+f.length]
		off += f.length
		v, err := d.value(f, raw)
		if err != nil {
			return nil, false, &FeatureError{Reason: fmt.Sprintf("field %s: %v", f.name, err)}
		}
		props[f.name] = v
	}
	return props, false, nil
}

func (d *dbfReader) text(b []byte) string {
	if d.decoder != nil {
		if s, err := d.decoder.Bytes(b); err == nil {
			return string(s)
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	d.fallback++
	s, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(s)
}

var ldidName = map[byte]string{0x57: "Windows-1252", 0x03: "Windows-1252", 0x01: "437", 0x02: "850"}

func (d *dbfReader) notices() []Notice {
	if d.assumed == "" || !d.hasText {
		return nil
	}
	msg := d.assumed
	if d.fallback > 0 {
		msg += fmt.Sprintf(" (%d values were not UTF-8 and were read as Windows-1252)", d.fallback)
	}
	return []Notice{{Code: NoticeEncodingAssumed, Message: msg + "; add a .cpg file or pass the encoding if the text looks wrong", Features: d.fallback}}
}

// value converts one field. Blank fields are null: DBF cannot tell an empty
// string from a missing value.
func (d *dbfReader) value(f dbfField, raw []byte) (any, error) {
	s := strings.TrimSpace(string(bytes.Trim(raw, "\x00")))
	if s == "" {
		return nil, nil
	}
	switch f.typ {
	case 'C', 'V':
		return d.text(bytes.TrimRight(bytes.Trim(raw, "\x00"), " ")), nil
	case 'N', 'F':
		if strings.Trim(s, "*") == "" {
			return nil, nil // overflow marker
		}
		if f.decimals == 0 && f.typ == 'N' {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return v, nil
	case 'L':
		switch s[0] {
		case 'T', 't', 'Y', 'y':
			return true, nil
		case 'F', 'f', 'N', 'n':
			return false, nil
		}
		return nil, nil
	case 'D':
		if s == "00000000" {
			return nil, nil
		}
		if len(s) != 8 || strings.Trim(s, "0123456789") != "" {
			return nil, fmt.Errorf("%q is not a YYYYMMDD date", s)
		}
		return s[:4] + "-" + s[4:6] + "-" + s[6:], nil
	}
	// Memo pointers and binary types carry no value without their side files.
	return nil, nil
}
