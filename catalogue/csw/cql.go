package csw

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/cql"
)

// constraint is a compiled GetRecords constraint, from either OGC Filter
// 1.1 or CQL text; both become a gis/cql syntax tree.
type constraint = cql.Filter

// parseCQL reads a CQL_TEXT constraint: CQL2 text, plus the forms CSW
// clients send from CQL 1 (BBOX(ows:BoundingBox, ...) with an optional CRS,
// ILIKE). LIKE ignores case, as on pycsw's SQL backends.
func parseCQL(s string) (*constraint, *exception) {
	e, err := cql.ParseText(s)
	if err != nil {
		return nil, invalidParam("constraint", "CQL: %v", err)
	}
	e, err = resolve(e, true)
	if err != nil {
		return nil, invalidParam("constraint", "CQL: %v", err)
	}
	return compileConstraint(e)
}

// resolve maps queryable names (dc:title, apiso:Title, csw:AnyText ...) onto
// the record fields, reads literals compared with dct:modified as times and,
// for CQL text, makes LIKE case-insensitive.
func resolve(e cql.Expr, likeIgnoresCase bool) (cql.Expr, error) {
	var walk func(cql.Expr) (cql.Expr, error)
	walkAll := func(es []cql.Expr) ([]cql.Expr, error) {
		out := make([]cql.Expr, len(es))
		for i, x := range es {
			var err error
			if out[i], err = walk(x); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	walk = func(e cql.Expr) (cql.Expr, error) {
		switch e := e.(type) {
		case cql.Property:
			q := queryable(e.Name)
			if q == "" {
				return nil, errors.New("unknown queryable " + quoteName(e.Name))
			}
			return cql.Property{Name: q}, nil
		case cql.And:
			args, err := walkAll(e.Args)
			return cql.And{Args: args}, err
		case cql.Or:
			args, err := walkAll(e.Args)
			return cql.Or{Args: args}, err
		case cql.Not:
			arg, err := walk(e.Arg)
			return cql.Not{Arg: arg}, err
		case cql.Compare:
			lr, err := walkAll([]cql.Expr{e.Left, e.Right})
			if err != nil {
				return nil, err
			}
			return cql.Compare{Op: e.Op, Left: modifiedLiteral(lr[0], lr[1]), Right: modifiedLiteral(lr[1], lr[0])}, nil
		case cql.Like:
			vp, err := walkAll([]cql.Expr{e.Value, e.Pattern})
			if err != nil {
				return nil, err
			}
			if likeIgnoresCase {
				return caseInsensitiveLike(vp[0], vp[1]), nil
			}
			return cql.Like{Value: vp[0], Pattern: vp[1]}, nil
		case cql.Between:
			args, err := walkAll([]cql.Expr{e.Value, e.Low, e.High})
			if err != nil {
				return nil, err
			}
			return cql.Between{Value: args[0], Low: modifiedLiteral(args[1], args[0]), High: modifiedLiteral(args[2], args[0])}, nil
		case cql.In:
			v, err := walk(e.Value)
			if err != nil {
				return nil, err
			}
			list, err := walkAll(e.List)
			return cql.In{Value: v, List: list}, err
		case cql.IsNull:
			v, err := walk(e.Value)
			return cql.IsNull{Value: v}, err
		case cql.Call:
			args, err := walkAll(e.Args)
			return cql.Call{Name: e.Name, Args: args}, err
		case cql.Arith:
			lr, err := walkAll([]cql.Expr{e.Left, e.Right})
			if err != nil {
				return nil, err
			}
			return cql.Arith{Op: e.Op, Left: lr[0], Right: lr[1]}, nil
		case cql.Interval:
			se, err := walkAll([]cql.Expr{e.Start, e.End})
			if err != nil {
				return nil, err
			}
			return cql.Interval{Start: se[0], End: se[1]}, nil
		case cql.Array:
			items, err := walkAll(e)
			return cql.Array(items), err
		}
		return e, nil
	}
	return walk(e)
}

func caseInsensitiveLike(v, pattern cql.Expr) cql.Expr {
	fold := func(x cql.Expr) cql.Expr {
		if c, ok := x.(cql.Call); ok && c.Name == "casei" {
			return x
		}
		return cql.Call{Name: "casei", Args: []cql.Expr{x}}
	}
	return cql.Like{Value: fold(v), Pattern: fold(pattern)}
}

// modifiedLiteral reads a string compared with dct:modified as a time, in
// the forms pycsw accepts (date-times without a zone, years, months); a
// string that is no time stays a string and matches nothing.
func modifiedLiteral(lit, other cql.Expr) cql.Expr {
	p, isProp := other.(cql.Property)
	s, isString := lit.(cql.String)
	if !isProp || p.Name != "modified" || !isString {
		return lit
	}
	if t, ok := parseTime(string(s)); ok {
		return cql.Timestamp{Time: t}
	}
	return lit
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func quoteName(s string) string { return `"` + s + `"` }

// cswTypes are the record fields a constraint may read, after resolve.
var cswTypes = map[string]cql.Type{
	"anytext": cql.StringType, "title": cql.StringType, "identifier": cql.StringType, "abstract": cql.StringType,
	"subject": cql.StringType, "type": cql.StringType, "format": cql.StringType,
	"modified": cql.TimestampType, "bbox": cql.GeometryType,
}

func compileConstraint(e cql.Expr) (*constraint, *exception) {
	f, err := cql.Compile(e, cql.Options{Properties: cswTypes, GeometryLiteral: axisOrder})
	if err != nil {
		return nil, invalidParam("constraint", "%v", err)
	}
	return f, nil
}

// axisOrder reads a box whose CRS is EPSG:4326 named by URN or http URI as
// latitude first, as pycsw does; EPSG:4326, CRS84 or no CRS is longitude
// first.
func axisOrder(g orb.Geometry, crs string) (orb.Geometry, error) {
	if !latFirst(crs) {
		return g, nil
	}
	if b, ok := g.(orb.Bound); ok {
		return orb.Bound{Min: orb.Point{b.Min[1], b.Min[0]}, Max: orb.Point{b.Max[1], b.Max[0]}}, nil
	}
	return g, nil
}

func latFirst(srs string) bool {
	s := strings.ToLower(srs)
	return strings.HasSuffix(s, "4326") && (strings.HasPrefix(s, "urn:") || strings.HasPrefix(s, "http"))
}

// recordView is what a constraint reads of a record.
type recordView struct{ r *Record }

func (v recordView) Property(name string) (any, bool) {
	r := v.r
	switch name {
	case "title":
		return r.Title, true
	case "identifier":
		return r.Identifier, true
	case "abstract":
		return r.Abstract, true
	case "subject":
		return r.Subjects, true
	case "type":
		return r.Type, true
	case "format":
		return r.Formats, true
	case "modified":
		return r.Modified, true
	case "anytext":
		return strings.Join(slices.Concat([]string{r.Identifier, r.Title, r.Abstract, r.Type}, r.Subjects, r.Formats), " "), true
	}
	return nil, false
}

func (v recordView) Geometry() orb.Geometry {
	if v.r.BBox.IsZero() {
		return nil
	}
	b := v.r.BBox
	return orb.Bound{Min: orb.Point{b.West, b.South}, Max: orb.Point{b.East, b.North}}
}
