package repair

import (
	"fmt"

	"github.com/paulmach/orb"
)

// polygonal repairs the polygons of a Polygon (multi false) or MultiPolygon.
func (r *repairer) polygonal(polys []orb.Polygon, multi bool) (orb.Geometry, error) {
	kept := make([]orb.Polygon, 0, len(polys))
	lastWhy := "MultiPolygon has no polygons"
	for i, p := range polys {
		if len(p) == 0 {
			lastWhy = fmt.Sprintf("polygon %d has no rings", i)
			if multi {
				r.fix(ActionDroppedPart, i, "dropped polygon %d: it has no rings", i)
			}
			continue
		}
		var notes []Fix
		rings := make(orb.Polygon, 0, len(p))
		for j, ring := range p {
			name := ringName(i, j, multi)
			c, ringNotes, why, err := r.cleanRing(ring, name, i)
			if err != nil {
				return nil, err
			}
			if c == nil && j == 0 {
				lastWhy = name + " " + why
				if multi {
					r.fix(ActionDroppedPart, i, "dropped polygon %d: its exterior ring %s", i, why)
				}
				break
			}
			if c == nil {
				notes = append(notes, Fix{Action: ActionDroppedPart, Part: i, Detail: "dropped " + name + ": it " + why})
				continue
			}
			notes = append(notes, ringNotes...)
			rings = append(rings, c)
		}
		if len(rings) == 0 {
			continue
		}
		r.fixes = append(r.fixes, notes...)
		kept = append(kept, rings)
	}
	if len(kept) == 0 {
		if len(polys) > 1 {
			return nil, unrepairable("every polygon of the MultiPolygon has zero area (the last: %s)", lastWhy)
		}
		return nil, unrepairable("the %s", lastWhy)
	}
	if part, problem := invalidity(kept, multi); problem != "" {
		rebuilt := rebuild(kept)
		if len(rebuilt) == 0 {
			return nil, unrepairable("%s, and no area remains once its rings are resolved", problem)
		}
		r.fix(ActionRebuilt, part, "%s; rebuilt from its noded rings as %d polygon(s), as MakeValid does",
			problem, len(rebuilt))
		if len(rebuilt) == 1 && !multi {
			return rebuilt[0], nil
		}
		return orb.MultiPolygon(rebuilt), nil
	}
	rewound := 0
	for _, p := range kept {
		for j, ring := range p {
			if (j == 0) != (SignedArea(ring) > 0) {
				p[j] = reversed(ring)
				rewound++
			}
		}
	}
	if rewound > 0 {
		r.fix(ActionRewound, 0, "rewound %d of %d rings to RFC 7946 order (exterior counter-clockwise, holes clockwise)",
			rewound, ringCount(kept))
	}
	if !multi {
		return kept[0], nil
	}
	return orb.MultiPolygon(kept), nil
}

func ringCount(ps []orb.Polygon) int {
	n := 0
	for _, p := range ps {
		n += len(p)
	}
	return n
}

// reversed returns a reversed copy, leaving the caller's ring alone.
func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}
