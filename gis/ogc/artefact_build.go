package ogc

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"iter"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/geojsonenc"
)

// maxFeatures keeps ordinals, and the count after the last one, in a uint32.
const maxFeatures = math.MaxUint32 - 1

// sortBudget is how many bytes of ids, and of property values, a build
// holds before it spills a sorted run.
const sortBudget = 8 << 20

// ArtefactInfo describes a built artefact.
type ArtefactInfo struct {
	Features int
	// Bytes is the artefact's size.
	Bytes int64
	// ETag identifies the features' content, as Index.ETag does.
	ETag string
	// Bound is the CRS84 box around every geometry (zero if there is none).
	Bound orb.Bound
	// Checksum is the CRC-32C the trailer holds, for logs and comparisons.
	Checksum   uint32
	Queryables []Queryable
}

// BuildArtefact reads every feature and writes the index artefact of the
// collection to w, in one pass over the features and in memory that does
// not hold them: each feature is encoded and spilled to a temporary file
// in opt.TempDir with its box, while only the centre of its box and its
// offset in the spill stay in memory (20 bytes a feature, 16 more with a
// temporal property); ids and property values are sorted in bounded runs.
// The spilled features are then copied in R-tree leaf order.
//
// A feature that cannot be encoded (NaN coordinates, unencodable
// properties) or two features with one id fail the build, naming the
// features, so a bad dataset is never half served. After an error w holds
// a partial artefact, which every opener refuses; discard it
// (WriteArtefactFile does).
func BuildArtefact(w io.Writer, features iter.Seq2[Feature, error], opt IndexOptions) (ArtefactInfo, error) {
	sp := &fileSpills{dir: opt.TempDir}
	defer sp.removeAll()
	return buildArtefact(w, features, opt, sp, sortBudget)
}

func buildArtefact(w io.Writer, features iter.Seq2[Feature, error], opt IndexOptions, sp spills, budget int) (ArtefactInfo, error) {
	if !littleEndian {
		return ArtefactInfo{}, errBigEndian
	}
	b := &artefactBuilder{opt: opt, spillOff: []int64{0}, props: map[string]uint32{}, sum: sha256.New()}
	var ss [5]spill
	for i := range ss {
		var err error
		if ss[i], err = sp.new(); err != nil {
			return ArtefactInfo{}, err
		}
	}
	b.feats, b.boundSpill, b.geomEndSpill = ss[0], ss[1], ss[2]
	b.ids, b.values = newKeySorter(ss[3], budget), newKeySorter(ss[4], budget)
	for f, err := range features {
		if err != nil {
			return ArtefactInfo{}, err
		}
		if err := b.add(f); err != nil {
			return ArtefactInfo{}, err
		}
	}
	return b.finish(w)
}

type artefactBuilder struct {
	opt          IndexOptions
	feats        spill       // per feature in input order: its spillHeader, then its GeoJSON
	spillOff     []int64     // feature o is feats[spillOff[o]:spillOff[o+1]]
	entries      []leafEntry // the features with a geometry
	boundSpill   spill       // the leaf boxes (float32, outward) in position order, while the features are copied
	geomEndSpill spill       // geometry ends in position order, likewise
	tmin         []int64     // by ordinal; tmin > tmax when the feature has no time
	tmax         []int64
	ids          *keySorter
	values       *keySorter // key: property number (4 bytes, big-endian) and canonical value
	props        map[string]uint32
	names        []string
	kinds        []propKinds
	sum          hash.Hash // of the encoded features in input order: the ETag
	buf          []byte
	keys         []string
	key          []byte
}

// spillHeader precedes each spilled feature: where its geometry ends and
// its box (4 float64), which the copy in leaf order needs back.
const spillHeader = 4 + 32

// propKinds are the kinds of value one property has shown, so a property
// whose type varies is left out rather than matched inconsistently.
type propKinds struct {
	kinds   uint8 // bit set of kindString, kindNumber, kindBool, kindOther
	integer bool  // every number seen is whole
}

func (b *artefactBuilder) count() int { return len(b.spillOff) - 1 }

func (b *artefactBuilder) add(f Feature) error {
	n := b.count()
	if n >= maxFeatures {
		return fmt.Errorf("more than %d features", maxFeatures)
	}
	id := f.ID
	if id == "" {
		id = strconv.Itoa(n + 1)
	}
	geomEnd, err := b.encode(id, f)
	if err != nil {
		return fmt.Errorf("feature %d (id %q): %w", n+1, id, err)
	}
	var hdr [spillHeader]byte
	binary.LittleEndian.PutUint32(hdr[:], geomEnd)
	if f.Geometry != nil {
		bound := f.Geometry.Bound()
		for i, v := range [4]float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]} {
			binary.LittleEndian.PutUint64(hdr[4+8*i:], math.Float64bits(v))
		}
		b.entries = append(b.entries, newLeafEntry(bound, uint32(n)))
	}
	if _, err := b.feats.Write(hdr[:]); err != nil {
		return err
	}
	if _, err := b.feats.Write(b.buf); err != nil {
		return err
	}
	b.sum.Write(b.buf)
	b.spillOff = append(b.spillOff, b.spillOff[n]+spillHeader+int64(len(b.buf)))
	if err := b.ids.add([]byte(id), uint32(n)); err != nil {
		return err
	}
	if len(f.Properties) == 0 {
		b.keys = b.keys[:0]
	}
	// encode left the property names sorted in b.keys: numbering them in
	// that order makes the artefact's bytes a function of the input alone.
	for _, name := range b.keys {
		v := f.Properties[name]
		if v == nil {
			continue
		}
		i, ok := b.props[name]
		if !ok {
			i = uint32(len(b.names))
			b.props[name] = i
			b.names = append(b.names, name)
			b.kinds = append(b.kinds, propKinds{integer: true})
		}
		key, kind, whole := canonical(v)
		b.kinds[i].kinds |= kind
		b.kinds[i].integer = b.kinds[i].integer && whole
		if kind != kindOther {
			b.key = append(binary.BigEndian.AppendUint32(b.key[:0], i), key...)
			if err := b.values.add(b.key, uint32(n)); err != nil {
				return err
			}
		}
	}
	if b.opt.TemporalProperty != "" {
		lo, hi, ok := temporalValue(f.Properties[b.opt.TemporalProperty])
		if !ok {
			lo, hi = math.MaxInt64, math.MinInt64
		}
		b.tmin, b.tmax = append(b.tmin, lo), append(b.tmax, hi)
	}
	return nil
}

// featurePrefix starts every encoded feature, so the geometry begins at a
// fixed offset and can be replaced when reprojecting.
const featurePrefix = `{"type":"Feature","geometry":`

// encode writes the feature's GeoJSON to b.buf and returns where its
// geometry ends.
func (b *artefactBuilder) encode(id string, f Feature) (uint32, error) {
	b.buf = append(b.buf[:0], featurePrefix...)
	if f.Geometry != nil {
		if err := checkFinite(f.Geometry); err != nil {
			return 0, err
		}
		var err error
		if b.buf, err = geojsonenc.AppendGeometry(b.buf, f.Geometry); err != nil {
			return 0, fmt.Errorf("geometry: %w", err)
		}
	} else {
		b.buf = append(b.buf, "null"...)
	}
	geomEnd := uint32(len(b.buf))
	b.buf = append(b.buf, `,"id":`...)
	b.buf = geojsonenc.AppendString(b.buf, id)
	b.buf = append(b.buf, `,"properties":`...)
	if len(f.Properties) == 0 {
		b.buf = append(b.buf, "{}"...)
	} else {
		var err error
		if b.buf, b.keys, err = geojsonenc.AppendProperties(b.buf, f.Properties, b.keys); err != nil {
			return 0, fmt.Errorf("properties: %w", err)
		}
	}
	b.buf = append(b.buf, '}')
	return geomEnd, nil
}

func checkFinite(g orb.Geometry) error {
	b := g.Bound()
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("geometry has a coordinate that is not a finite number")
		}
	}
	return nil
}

func (b *artefactBuilder) finish(w io.Writer) (ArtefactInfo, error) {
	n := b.count()
	sum := b.sum.Sum(nil)
	m := artefactMeta{Features: n, Leaves: len(b.entries), ETag: hex.EncodeToString(sum[:12]),
		TemporalProperty: b.opt.TemporalProperty, Queryables: []Queryable{}, Properties: []metaProperty{}}
	aw := newArtefactWriter(w)
	aw.write([]byte(artefactMagic))
	aw.write(binary.LittleEndian.AppendUint32(nil, artefactVersion))
	aw.write(make([]byte, 4))
	// Duplicate ids are found first, before the large copies below.
	if err := b.writeIDs(aw, &m); err != nil {
		return ArtefactInfo{}, err
	}
	if err := b.writeProperties(aw, &m); err != nil {
		return ArtefactInfo{}, err
	}
	sortLeaves(b.entries)
	tree, err := b.writeFeatures(aw, &m)
	if err != nil {
		return ArtefactInfo{}, err
	}
	levels := tree.levels()
	for _, l := range levels {
		m.Levels = append(m.Levels, len(l))
	}
	if len(levels) > 0 {
		m.Bound = [4]float64{tree.all.Min[0], tree.all.Min[1], tree.all.Max[0], tree.all.Max[1]}
	}
	if m.LeafBoxes, err = aw.copySpill(b.boundSpill); err != nil {
		return ArtefactInfo{}, err
	}
	m.Nodes = aw.section(func() {
		for _, l := range levels {
			aw.write(rawBytes(l))
		}
	})
	m.TimeMin = aw.section(func() { aw.write(rawBytes(b.tmin)) })
	m.TimeMax = aw.section(func() { aw.write(rawBytes(b.tmax)) })
	raw, err := json.Marshal(m)
	if err != nil {
		return ArtefactInfo{}, err
	}
	metaSpan := aw.section(func() { aw.write(raw) })
	checksum := aw.crc.Sum32()
	tr := binary.LittleEndian.AppendUint64(nil, uint64(metaSpan.Off))
	tr = binary.LittleEndian.AppendUint64(tr, uint64(metaSpan.Len))
	tr = binary.LittleEndian.AppendUint32(tr, checksum)
	tr = binary.LittleEndian.AppendUint32(tr, artefactVersion)
	aw.write(append(tr, artefactMagic...))
	if err := aw.flush(); err != nil {
		return ArtefactInfo{}, err
	}
	return ArtefactInfo{Features: n, Bytes: aw.off, ETag: m.ETag, Bound: m.bound(), Checksum: checksum, Queryables: m.Queryables}, nil
}

// writeIDs writes the ids in sorted order and refuses two features with
// one id, naming both.
func (b *artefactBuilder) writeIDs(aw *artefactWriter, m *artefactMeta) error {
	n := b.count()
	idOff := make([]uint64, 0, n+1)
	idOrd := make([]uint32, 0, n)
	var prev []byte
	var dup error
	aw.align()
	first := aw.off
	m.IDs = aw.section(func() {
		for id, ord := range b.ids.sorted() {
			if len(idOrd) > 0 && bytes.Equal(prev, id) {
				dup = fmt.Errorf("features %d and %d share the id %q; feature ids must be unique", idOrd[len(idOrd)-1]+1, ord+1, id)
				return
			}
			idOff = append(idOff, uint64(aw.off-first))
			idOrd = append(idOrd, ord)
			aw.write(id)
			prev = append(prev[:0], id...)
		}
	})
	if dup != nil {
		return dup
	}
	if err := b.ids.err(); err != nil {
		return err
	}
	idOff = append(idOff, uint64(m.IDs.Len))
	m.IDOff = aw.section(func() { aw.write(rawBytes(idOff)) })
	m.IDOrd = aw.section(func() { aw.write(rawBytes(idOrd)) })
	return nil
}

// writeProperties writes the value index of every property whose values
// all have one type; those are the queryables.
func (b *artefactBuilder) writeProperties(aw *artefactWriter, m *artefactMeta) error {
	types := make([]string, len(b.names))
	for i, k := range b.kinds {
		switch k.kinds {
		case kindString:
			types[i] = "string"
		case kindNumber:
			types[i] = "number"
			if k.integer {
				types[i] = "integer"
			}
		case kindBool:
			types[i] = "boolean"
		}
	}
	var (
		cur      = -1
		p        metaProperty
		valueOff []uint64
		start    []uint32
		postings []uint32
		prev     []byte
	)
	end := func() {
		if cur < 0 || types[cur] == "" {
			return
		}
		p.Values.Len = aw.off - p.Values.Off
		valueOff = append(valueOff, uint64(p.Values.Len))
		start = append(start, uint32(len(postings)))
		p.ValueOff = aw.section(func() { aw.write(rawBytes(valueOff)) })
		p.Start = aw.section(func() { aw.write(rawBytes(start)) })
		p.Postings = aw.section(func() { aw.write(rawBytes(postings)) })
		m.Properties = append(m.Properties, p)
		m.Queryables = append(m.Queryables, Queryable{Name: p.Name, Type: types[cur]})
	}
	for key, ord := range b.values.sorted() {
		i, value := int(binary.BigEndian.Uint32(key)), key[4:]
		if i != cur {
			end()
			cur, prev = i, nil
			if types[i] == "" {
				continue
			}
			aw.align()
			p = metaProperty{Name: b.names[i], Values: span{Off: aw.off}}
			valueOff, start, postings = valueOff[:0], start[:0], postings[:0]
		}
		if types[i] == "" {
			continue
		}
		if prev == nil || !bytes.Equal(prev, value) {
			valueOff = append(valueOff, uint64(aw.off-p.Values.Off))
			start = append(start, uint32(len(postings)))
			aw.write(value)
			prev = append(prev[:0:0], value...)
		}
		postings = append(postings, ord)
	}
	end()
	if err := b.values.err(); err != nil {
		return err
	}
	slices.SortFunc(m.Properties, func(a, b metaProperty) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(m.Queryables, func(a, b Queryable) int { return strings.Compare(a.Name, b.Name) })
	return nil
}

// writeFeatures copies the encoded features from the spill in position
// order, with the arrays that address them, and builds the R-tree's leaf
// nodes from their boxes on the way.
func (b *artefactBuilder) writeFeatures(aw *artefactWriter, m *artefactMeta) (*leafNodes, error) {
	n := b.count()
	posOrd := make([]uint32, 0, n)
	ordPos := make([]uint32, n)
	for i := range ordPos {
		ordPos[i] = math.MaxUint32
	}
	for p, e := range b.entries {
		posOrd = append(posOrd, e.ord)
		ordPos[e.ord] = uint32(p)
	}
	b.entries = nil
	for o, p := range ordPos {
		if p == math.MaxUint32 {
			ordPos[o] = uint32(len(posOrd))
			posOrd = append(posOrd, uint32(o))
		}
	}
	ra, err := b.feats.reader()
	if err != nil {
		return nil, err
	}
	var tree leafNodes
	var buf []byte
	m.Data = aw.section(func() {
		for p, o := range posOrd {
			from, to := b.spillOff[o], b.spillOff[o+1]
			buf = slices.Grow(buf[:0], int(to-from))[:to-from]
			if _, err = ra.ReadAt(buf, from); err != nil {
				err = fmt.Errorf("reading back spilled features: %w", err)
				return
			}
			aw.write(append(buf[spillHeader:], ','))
			if _, err = b.geomEndSpill.Write(buf[:4]); err != nil {
				return
			}
			if p < m.Leaves {
				exact := spilledBound(buf[4:spillHeader])
				tree.add(exact)
				if _, err = b.boundSpill.Write(rawBytes([]box32{outward(exact)})); err != nil {
					return
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	m.PosOff = aw.section(func() {
		off := uint64(0)
		for _, o := range posOrd {
			aw.write(binary.LittleEndian.AppendUint64(buf[:0], off))
			off += uint64(b.spillOff[o+1] - b.spillOff[o] - spillHeader + 1) // and its comma
		}
		aw.write(binary.LittleEndian.AppendUint64(buf[:0], off))
	})
	b.spillOff = nil
	m.PosOrd = aw.section(func() { aw.write(rawBytes(posOrd)) })
	if m.GeomEnd, err = aw.copySpill(b.geomEndSpill); err != nil {
		return nil, err
	}
	m.OrdPos = aw.section(func() { aw.write(rawBytes(ordPos)) })
	return &tree, nil
}

// artefactWriter writes sections through a buffer, keeping the offset and
// the checksum. Its first error sticks and later writes do nothing.
type artefactWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	off int64
	err error
}

func newArtefactWriter(w io.Writer) *artefactWriter {
	return &artefactWriter{w: bufio.NewWriterSize(w, 1<<20), crc: crc32.New(castagnoli)}
}

func (aw *artefactWriter) write(p []byte) {
	if aw.err != nil {
		return
	}
	if _, aw.err = aw.w.Write(p); aw.err == nil {
		aw.crc.Write(p)
		aw.off += int64(len(p))
	}
}

var zeros [sectionAlign]byte

func (aw *artefactWriter) align() {
	if r := aw.off % sectionAlign; r != 0 {
		aw.write(zeros[:sectionAlign-r])
	}
}

// section aligns, runs write and returns the span it wrote.
func (aw *artefactWriter) section(write func()) span {
	aw.align()
	s := span{Off: aw.off}
	write()
	s.Len = aw.off - s.Off
	return s
}

// spilledBound decodes a box from a spill header, which is not aligned
// for viewing in place.
func spilledBound(b []byte) orb.Bound {
	f := func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])) }
	return orb.Bound{Min: orb.Point{f(0), f(1)}, Max: orb.Point{f(2), f(3)}}
}

// copySpill copies a spill as one section.
func (aw *artefactWriter) copySpill(sp spill) (span, error) {
	ra, err := sp.reader()
	if err != nil {
		return span{}, err
	}
	var copyErr error
	s := aw.section(func() {
		buf := make([]byte, 1<<20)
		for off := int64(0); off < sp.size() && copyErr == nil; off += int64(len(buf)) {
			k, err := ra.ReadAt(buf[:min(int64(len(buf)), sp.size()-off)], off)
			if err != nil && err != io.EOF {
				copyErr = err
			}
			aw.write(buf[:k])
		}
	})
	return s, copyErr
}

func (aw *artefactWriter) flush() error {
	if aw.err == nil {
		aw.err = aw.w.Flush()
	}
	return aw.err
}

// WriteArtefactFile builds the artefact into path atomically: it is
// written beside path under a temporary name, synced and renamed, so path
// holds a whole artefact or nothing, whatever happens meanwhile.
func WriteArtefactFile(path string, features iter.Seq2[Feature, error], opt IndexOptions) (ArtefactInfo, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.partial")
	if err != nil {
		return ArtefactInfo{}, err
	}
	info, err := BuildArtefact(f, features, opt)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return ArtefactInfo{}, err
	}
	return info, nil
}
