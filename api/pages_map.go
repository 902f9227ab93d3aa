package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain/opendata"
)

// svgMap is a small static map of a spatial dataset: its extent and its
// features drawn as inline SVG. It needs no script, tiles or fonts, so the
// page stays self-contained and readable without JavaScript; the OGC API's
// HTML view is linked for an interactive map.
type svgMap struct {
	Width, Height int
	Extent        svgRect
	Points        []svgPoint
	Lines         []string // SVG path data
	Polygons      []string // SVG path data, one per polygon with its holes
	Shown, Total  int64
	BBox          opendata.BBox
}

type svgRect struct{ X, Y, W, H string }
type svgPoint struct{ X, Y string }

// Limits that keep the page light whatever the dataset's size: a district's
// tree survey has tens of thousands of points.
const (
	mapWidth       = 640
	mapHeight      = 400
	mapMaxFeatures = 3000
	mapMaxVertices = 30000
	mapPad         = 0.08
)

// svgMapCache keeps drawn maps by blob key; a version's files never change
// once published, so an entry never goes stale.
type svgMapCache struct {
	mu  sync.Mutex
	max int
	m   map[string]*svgMap
}

func newSVGMapCache(max int) *svgMapCache { return &svgMapCache{max: max, m: map[string]*svgMap{}} }

func (c *svgMapCache) get(ctx context.Context, data *appod.Service, datasetID string, version int, extent opendata.BBox, total int64) (*svgMap, error) {
	key := datasetID + "/" + strconv.Itoa(version)
	c.mu.Lock()
	m, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return m, nil
	}
	b, err := data.OpenFile(ctx, datasetID, version, "geojson")
	if err != nil {
		return nil, err
	}
	defer b.Close()
	m, err = drawMap(bufio.NewReaderSize(b, 64<<10), extent, total)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m) // rare: more maps than entries; redrawing is cheap
	}
	c.m[key] = m
	c.mu.Unlock()
	return m, nil
}

// projector maps CRS84 to SVG pixels with an equirectangular projection
// scaled by the cosine of the middle latitude, which is close enough at the
// size of a district.
type projector struct {
	minX, maxY, k, s, offX, offY float64
}

func newProjector(b opendata.BBox) projector {
	dx, dy := b.MaxX-b.MinX, b.MaxY-b.MinY
	// A single point or a line has no area: give it a few hundred metres.
	const minSpan = 0.005
	if dx < minSpan {
		b.MinX, b.MaxX, dx = b.MinX-(minSpan-dx)/2, b.MaxX+(minSpan-dx)/2, minSpan
	}
	if dy < minSpan {
		b.MinY, b.MaxY, dy = b.MinY-(minSpan-dy)/2, b.MaxY+(minSpan-dy)/2, minSpan
	}
	// Pad by a share of the longer side, so a narrow extent still shows
	// some surroundings and features on its edge are not cut off.
	k := math.Cos((b.MinY + b.MaxY) / 2 * math.Pi / 180)
	pad := math.Max(dx*k, dy) * mapPad
	b.MinX, b.MaxX = b.MinX-pad/k, b.MaxX+pad/k
	b.MinY, b.MaxY = b.MinY-pad, b.MaxY+pad
	dx, dy = b.MaxX-b.MinX, b.MaxY-b.MinY
	s := math.Min(mapWidth/(dx*k), mapHeight/dy)
	return projector{minX: b.MinX, maxY: b.MaxY, k: k, s: s,
		offX: (mapWidth - dx*k*s) / 2, offY: (mapHeight - dy*s) / 2}
}

func (p projector) xy(pt orb.Point) (float64, float64) {
	return p.offX + (pt[0]-p.minX)*p.k*p.s, p.offY + (p.maxY-pt[1])*p.s
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// drawMap reads a GeoJSON FeatureCollection as a stream, so only the drawn
// features are held in memory.
func drawMap(r io.Reader, extent opendata.BBox, total int64) (*svgMap, error) {
	proj := newProjector(extent)
	m := &svgMap{Width: mapWidth, Height: mapHeight, Total: total, BBox: extent}
	x0, y0 := proj.xy(orb.Point{extent.MinX, extent.MaxY})
	x1, y1 := proj.xy(orb.Point{extent.MaxX, extent.MinY})
	m.Extent = svgRect{num(x0), num(y0), num(x1 - x0), num(y1 - y0)}
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	vertices := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if tok != "features" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if err := expectDelim(dec, '['); err != nil {
			return nil, err
		}
		for dec.More() && m.Shown < mapMaxFeatures && vertices < mapMaxVertices {
			var f struct {
				Geometry *geojson.Geometry `json:"geometry"`
			}
			if err := dec.Decode(&f); err != nil {
				return nil, err
			}
			if f.Geometry == nil || f.Geometry.Coordinates == nil {
				continue
			}
			vertices += m.add(proj, f.Geometry.Geometry())
			m.Shown++
		}
		break
	}
	if m.Total < m.Shown {
		m.Total = m.Shown
	}
	return m, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("GeoJSON: expected %q, found %v", want, tok)
	}
	return nil
}

// add draws one geometry and returns the vertices it used. Vertices closer
// than a pixel to the previous one are dropped: they cannot be seen.
func (m *svgMap) add(p projector, g orb.Geometry) int {
	path := func(ls []orb.Point, closed bool, b *strings.Builder) int {
		lx, ly, n := math.Inf(1), math.Inf(1), 0
		for _, pt := range ls {
			x, y := p.xy(pt)
			if math.Abs(x-lx) < 1 && math.Abs(y-ly) < 1 {
				continue
			}
			if n == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			b.WriteString(num(x) + " " + num(y))
			lx, ly = x, y
			n++
		}
		if n > 0 && closed {
			b.WriteString("Z")
		}
		return n
	}
	// A polygon's rings share one path so that holes stay empty (evenodd).
	rings := func(rs []orb.Ring) int {
		var b strings.Builder
		n := 0
		for _, r := range rs {
			n += path(r, true, &b)
		}
		if n > 0 {
			m.Polygons = append(m.Polygons, b.String())
		}
		return n
	}
	line := func(ls orb.LineString) int {
		var b strings.Builder
		n := path(ls, false, &b)
		if n > 0 {
			m.Lines = append(m.Lines, b.String())
		}
		return n
	}
	switch g := g.(type) {
	case orb.Point:
		x, y := p.xy(g)
		m.Points = append(m.Points, svgPoint{num(x), num(y)})
		return 1
	case orb.MultiPoint:
		for _, pt := range g {
			m.add(p, pt)
		}
		return len(g)
	case orb.LineString:
		return line(g)
	case orb.MultiLineString:
		n := 0
		for _, ls := range g {
			n += line(ls)
		}
		return n
	case orb.Polygon:
		return rings(g)
	case orb.MultiPolygon:
		n := 0
		for _, poly := range g {
			n += m.add(p, poly)
		}
		return n
	case orb.Collection:
		n := 0
		for _, gg := range g {
			n += m.add(p, gg)
		}
		return n
	}
	return 0
}
