package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strings"
)

// IDRule says where published feature ids come from.
type IDRule string

const (
	// IDsFromSource keeps the file's own ids: every feature had one and no
	// two were the same.
	IDsFromSource IDRule = "source"
	// IDsByPosition numbers the features 1, 2, 3... in file order, so the
	// same file always gets the same ids; the file's own id, when a feature
	// had one, is kept in the property IDReport.Property.
	IDsByPosition IDRule = "position"
)

// IDReport says which id rule a file got and why.
type IDReport struct {
	Rule IDRule `json:"rule"`
	// From names the source ids: "gml:id", "GeoJSON id", "Shapefile record
	// number", "GeoPackage primary key" or "CSV row number".
	From string `json:"from"`
	// Missing counts features without a source id (or with an empty one);
	// Repeated counts features whose id an earlier feature already had.
	Missing  int    `json:"missing"`
	Repeated int    `json:"repeated"`
	Example  string `json:"example,omitempty"`  // one repeated id
	Property string `json:"property,omitempty"` // where source ids were kept
	Message  string `json:"message"`
}

// sourceIDProperty names the property that keeps a replaced source id;
// the first name no feature already uses is taken.
var sourceIDProperties = []string{"source_id", "source_id_1", "source_id_2"}

// idScan gathers what the id rule depends on. Uniqueness is checked with a
// sorted slice of 64-bit FNV hashes: 8 bytes per feature, so 80 MB at the
// 10 M feature limit and under 1 MB for a council's typical 100 k. A hash
// collision (odds about 1 in 10^5 at 10 M ids) only makes the rule fall back
// to positions, which is still correct and stable.
type idScan struct {
	from     string
	features int
	missing  int
	hashes   []uint64
	taken    map[string]bool
	ids      map[uint64]string // ids behind the first hashes, for the example only
}

func (s *idScan) add(id string) {
	s.features++
	if id == "" {
		s.missing++
		return
	}
	if s.missing > 0 {
		return // the rule is settled; only property names still matter
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	sum := h.Sum64()
	s.hashes = append(s.hashes, sum)
	if len(s.ids) < 1000 {
		s.ids[sum] = id
	}
}

func (s *idScan) report() IDReport {
	r := IDReport{Rule: IDsFromSource, From: s.from, Missing: s.missing}
	if s.missing == 0 {
		slices.Sort(s.hashes)
		for i := 1; i < len(s.hashes); i++ {
			if s.hashes[i] == s.hashes[i-1] {
				r.Repeated++
				if r.Example == "" {
					r.Example = s.ids[s.hashes[i]]
				}
			}
		}
	}
	switch {
	case s.features == 0 || (r.Missing == 0 && r.Repeated == 0):
		r.Message = fmt.Sprintf("every feature's %s is unique and is kept as its id", s.from)
		return r
	case r.Missing == s.features:
		r.Rule = IDsByPosition
		r.Message = fmt.Sprintf("no feature has a %s: features are numbered 1 to %d in file order", s.from, s.features)
		return r
	}
	r.Rule = IDsByPosition
	r.Property = sourceIDProperties[len(sourceIDProperties)-1]
	for _, p := range sourceIDProperties {
		if !s.taken[p] {
			r.Property = p
			break
		}
	}
	why := fmt.Sprintf("%s no %s", count(r.Missing, "feature has", "features have"), s.from)
	if r.Missing == 0 {
		why = fmt.Sprintf("%s another's %s", count(r.Repeated, "feature repeats", "features repeat"), s.from)
		if r.Example != "" {
			why += fmt.Sprintf(" (for example %q)", shorten(r.Example, 60))
		}
	}
	r.Message = fmt.Sprintf("%s, so features are numbered 1 to %d in file order and each %s is kept in the property %q",
		why, s.features, s.from, r.Property)
	return r
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// planIDs decides the id rule before the first feature is published. Only
// GeoJSON and GML ids can repeat; they cost one extra pass over the file
// that keeps only ids (about a third of a full read for GeoJSON, measured
// in BenchmarkIDScan).
func planIDs(format Format, src io.ReaderAt, size int64, opts Options) (IDReport, error) {
	fixed := func(from string) (IDReport, error) {
		return IDReport{Rule: IDsFromSource, From: from,
			Message: fmt.Sprintf("features keep their %s as id, unique by construction", from)}, nil
	}
	scan := &idScan{taken: map[string]bool{}, ids: map[uint64]string{}}
	var err error
	switch format {
	case FormatGeoJSON:
		scan.from = "GeoJSON id"
		err = scanGeoJSONIDs(src, size, opts, scan)
	case FormatGML:
		scan.from = "gml:id"
		err = scanGMLIDs(io.NewSectionReader(src, 0, size), opts, scan)
	case FormatShapefile:
		return fixed("Shapefile record number")
	case FormatGeoPackage:
		return fixed("GeoPackage primary key")
	default:
		return fixed("CSV row number")
	}
	if err != nil {
		return IDReport{}, err
	}
	return scan.report(), nil
}

// jsonID spells a GeoJSON id: a string's text, a number's literal.
func jsonID(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func scanGeoJSONIDs(src io.ReaderAt, size int64, opts Options, scan *idScan) error {
	r, err := openGeoJSON(src, size, opts)
	if err != nil {
		return nil // the real read reports it
	}
	g := r.(*geojsonReader)
	if g.single != nil {
		scan.add(jsonID(g.single.ID))
		return nil
	}
	var f struct {
		ID         json.RawMessage `json:"id"`
		Properties struct {
			P0 json.RawMessage `json:"source_id"`
			P1 json.RawMessage `json:"source_id_1"`
			P2 json.RawMessage `json:"source_id_2"`
		} `json:"properties"`
	}
	for g.dec.More() {
		f.ID, f.Properties.P0, f.Properties.P1, f.Properties.P2 = nil, nil, nil, nil
		if err := g.dec.Decode(&f); err != nil {
			if _, typeErr := err.(*json.UnmarshalTypeError); !typeErr {
				return nil // a syntax error: the real read reports it
			}
		}
		scan.add(jsonID(f.ID))
		for i, p := range []json.RawMessage{f.Properties.P0, f.Properties.P1, f.Properties.P2} {
			if len(p) > 0 {
				scan.taken[sourceIDProperties[i]] = true
			}
		}
		if scan.features > opts.Limits.MaxFeatures {
			return opts.Limits.tooMany(0, "")
		}
	}
	return nil
}

// scanGMLIDs finds features as gmlReader does, from the tags alone: it
// looks only at '<' ... '>' and skips text (the coordinates, most of a
// GML file) with a byte search, several times faster than encoding/xml.
// Comments, CDATA, processing instructions and quoted '>' are honoured.
func scanGMLIDs(src io.Reader, opts Options, scan *idScan) error {
	tags := tagScanner{r: bufio.NewReaderSize(src, 64<<10), max: 1 << 20}
	depth, memberDepth, featDepth := 0, -1, -1
	for {
		t, ok := tags.next()
		if !ok {
			return nil // the end, or broken XML the real read reports
		}
		if t.end {
			depth--
			switch depth {
			case featDepth:
				featDepth = -1
			case memberDepth:
				memberDepth = -1
			}
			continue
		}
		switch {
		case featDepth >= 0:
			if depth == featDepth+1 && slices.Contains(sourceIDProperties, t.local) {
				scan.taken[t.local] = true
			}
		case memberDepth >= 0 && depth == memberDepth+1:
			if isCollectionElement(t.local) {
				memberDepth = -1
				break
			}
			if t.selfClosing {
				break // an empty member
			}
			featDepth = depth
			scan.add(t.id)
			if scan.features > opts.Limits.MaxFeatures {
				return opts.Limits.tooMany(0, "")
			}
		case isMemberElement(t.local):
			memberDepth = depth
		}
		if !t.selfClosing {
			depth++
		}
	}
}

type tag struct {
	local            string // element name without prefix
	id               string // gml:id, else fid
	end, selfClosing bool
}

type tagScanner struct {
	r   *bufio.Reader
	buf []byte
	max int
}

// next returns the next start or end tag, skipping text, comments, CDATA,
// processing instructions and declarations.
func (s *tagScanner) next() (tag, bool) {
	for {
		if _, err := s.r.ReadSlice('<'); err != nil && err != bufio.ErrBufferFull {
			return tag{}, false
		} else if err == bufio.ErrBufferFull {
			continue
		}
		c, err := s.r.Peek(1)
		if err != nil {
			return tag{}, false
		}
		switch c[0] {
		case '?':
			if !s.skipPast("?>") {
				return tag{}, false
			}
			continue
		case '!':
			head, _ := s.r.Peek(8)
			end := ">"
			switch {
			case bytes.HasPrefix(head, []byte("!--")):
				end = "-->"
			case bytes.HasPrefix(head, []byte("![CDATA[")):
				end = "]]>"
			}
			if !s.skipPast(end) {
				return tag{}, false
			}
			continue
		}
		body, ok := s.tagBody()
		if !ok {
			return tag{}, false
		}
		return parseTag(body), true
	}
}

// skipPast discards input up to and including end.
func (s *tagScanner) skipPast(end string) bool {
	last := end[len(end)-1]
	window := make([]byte, 0, len(end))
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return false
		}
		if len(window) == len(end) {
			window = window[1:]
		}
		window = append(window, b)
		if b == last && string(window) == end {
			return true
		}
	}
}

// tagBody reads up to the '>' that closes the tag, outside quotes.
func (s *tagScanner) tagBody() ([]byte, bool) {
	s.buf = s.buf[:0]
	var quote byte
	for len(s.buf) < s.max {
		b, err := s.r.ReadByte()
		if err != nil {
			return nil, false
		}
		switch {
		case quote != 0 && b == quote:
			quote = 0
		case quote != 0:
		case b == '"' || b == '\'':
			quote = b
		case b == '>':
			return s.buf, true
		}
		s.buf = append(s.buf, b)
	}
	return nil, false
}

func parseTag(body []byte) tag {
	var t tag
	if len(body) > 0 && body[0] == '/' {
		t.end = true
		return t
	}
	if n := len(body); n > 0 && body[n-1] == '/' {
		t.selfClosing, body = true, body[:n-1]
	}
	name := body
	if i := bytes.IndexAny(body, " \t\r\n"); i >= 0 {
		name, body = body[:i], body[i:]
	} else {
		body = nil
	}
	t.local = string(localName(name))
	fid := ""
	for len(body) > 0 {
		body = bytes.TrimLeft(body, " \t\r\n")
		eq := bytes.IndexByte(body, '=')
		if eq < 0 {
			break
		}
		attr := localName(bytes.TrimSpace(body[:eq]))
		rest := bytes.TrimLeft(body[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			break
		}
		close := bytes.IndexByte(rest[1:], rest[0])
		if close < 0 {
			break
		}
		value := string(bytes.TrimSpace(rest[1 : 1+close]))
		switch string(attr) {
		case "id":
			t.id = value
		case "fid":
			fid = value
		}
		body = rest[2+close:]
	}
	if t.id == "" {
		t.id = fid
	}
	return t
}

func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func isMemberElement(local string) bool {
	return local == "member" || local == "featureMember" || local == "featureMembers"
}

// isCollectionElement spots the feature collections WFS 2.0 servers nest in
// a wfs:member (one per query of a GetFeature with several) and
// wfs:additionalObjects; their own members are the features.
func isCollectionElement(local string) bool {
	return local == "FeatureCollection" || local == "SimpleFeatureCollection" || local == "additionalObjects"
}

// featureID is a GML feature's gml:id, or the fid of GML 2 / WFS 1.0.
func featureID(attrs []xml.Attr) string {
	fid := ""
	for _, a := range attrs {
		switch a.Name.Local {
		case "id":
			return strings.TrimSpace(a.Value)
		case "fid":
			fid = strings.TrimSpace(a.Value)
		}
	}
	return fid
}
