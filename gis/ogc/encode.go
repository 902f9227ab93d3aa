package ogc

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/geojsonenc"
)

// AppendItems writes an items page as a GeoJSON FeatureCollection. In CRS84
// the pre-encoded features are copied as they are; in another CRS each
// geometry is decoded, transformed (in that CRS's axis order, as Part 2
// requires) and re-encoded, and the rest of the feature is copied.
func (ix *Index) AppendItems(dst []byte, r Result, to crs.CRS, links []Link, now time.Time) ([]byte, error) {
	defer runtime.KeepAlive(ix) // the features may be in a mapping the index's cleanup unmaps
	dst = append(dst, `{"type":"FeatureCollection","numberMatched":`...)
	dst = strconv.AppendInt(dst, int64(r.Matched), 10)
	dst = append(dst, `,"numberReturned":`...)
	dst = strconv.AppendInt(dst, int64(len(r.Ordinals)), 10)
	dst = append(dst, `,"timeStamp":"`...)
	dst = now.UTC().AppendFormat(dst, time.RFC3339)
	dst = append(dst, `","links":`...)
	dst = appendLinks(dst, links)
	dst = append(dst, `,"features":[`...)
	if pos := r.positions; len(pos) > 0 && (to == crs.CRS84 || to == 0) {
		// A page from the tree is a few runs of consecutive positions, whose
		// features lie back to back with their commas: one copy a run.
		for i := 0; i < len(pos); {
			j := i + 1
			for j < len(pos) && pos[j] == pos[j-1]+1 {
				j++
			}
			dst = append(dst, ix.data[ix.posOff[pos[i]]:ix.posOff[pos[j-1]+1]]...)
			i = j
		}
		dst = dst[:len(dst)-1] // the last feature's comma
		return append(dst, "]}"...), nil
	}
	var err error
	for i, o := range r.Ordinals {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = ix.appendFeatureIn(dst, o, to); err != nil {
			return nil, err
		}
	}
	return append(dst, "]}"...), nil
}

// AppendFeature writes one feature with its links.
func (ix *Index) AppendFeature(dst []byte, o uint32, to crs.CRS, links []Link) ([]byte, error) {
	defer runtime.KeepAlive(ix)
	dst, err := ix.appendFeatureIn(dst, o, to)
	if err != nil {
		return nil, err
	}
	dst = dst[:len(dst)-1] // reopen the feature object to add its links
	dst = append(dst, `,"links":`...)
	dst = appendLinks(dst, links)
	return append(dst, '}'), nil
}

func (ix *Index) appendFeatureIn(dst []byte, o uint32, to crs.CRS) ([]byte, error) {
	p := ix.ordPos[o]
	f := ix.feature(p)
	if to == crs.CRS84 || to == 0 || p >= ix.leaves {
		return append(dst, f...), nil
	}
	g, err := ix.geometryAt(p)
	if err != nil {
		return nil, fmt.Errorf("feature %s: %w", ix.ID(o), err)
	}
	tg, err := crs.TransformGeometry(g, crs.CRS84, to)
	if err != nil {
		return nil, fmt.Errorf("feature %s cannot be given in %s: %w", ix.ID(o), to, err)
	}
	raw, err := geojson.NewGeometry(tg).MarshalJSON()
	if err != nil {
		return nil, err
	}
	dst = append(dst, featurePrefix...)
	dst = append(dst, raw...)
	return append(dst, f[ix.geomEnd[p]:]...), nil
}

// appendLinks writes links as encoding/json would with HTML escaping off
// (TestAppendLinksMatchesEncoder), without reflection: every items
// response carries four or five.
func appendLinks(dst []byte, links []Link) []byte {
	dst = append(dst, '[')
	for i, l := range links {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"href":`...)
		dst = geojsonenc.AppendStringNoHTMLEscape(dst, l.Href)
		dst = append(dst, `,"rel":`...)
		dst = geojsonenc.AppendStringNoHTMLEscape(dst, l.Rel)
		for _, f := range [...]struct{ name, value string }{{`,"type":`, l.Type}, {`,"title":`, l.Title}, {`,"hreflang":`, l.Hreflang}} {
			if f.value != "" {
				dst = append(dst, f.name...)
				dst = geojsonenc.AppendStringNoHTMLEscape(dst, f.value)
			}
		}
		if l.Length != 0 {
			dst = append(dst, `,"length":`...)
			dst = strconv.AppendInt(dst, l.Length, 10)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}
