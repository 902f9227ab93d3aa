package cql

// temporal evaluates a CQL2 temporal function on two spans. Instants are
// spans with equal ends and dates cover their whole UTC day, so every
// function applies to instants, dates and intervals alike. Spans are closed
// at nanosecond resolution, so two intervals "meet" when one ends exactly
// where the other starts or one nanosecond before (consecutive days).
func temporal(name string, a, b span) bool {
	meets := func(x, y span) bool { return x.hi == y.lo || x.hi+1 == y.lo }
	switch name {
	case "t_after":
		return a.lo > b.hi
	case "t_before":
		return a.hi < b.lo
	case "t_contains":
		return a.lo < b.lo && a.hi > b.hi
	case "t_during":
		return a.lo > b.lo && a.hi < b.hi
	case "t_disjoint":
		return a.hi < b.lo || a.lo > b.hi
	case "t_intersects":
		return a.lo <= b.hi && a.hi >= b.lo
	case "t_equals":
		return a == b
	case "t_finishedby":
		return a.lo < b.lo && a.hi == b.hi
	case "t_finishes":
		return a.lo > b.lo && a.hi == b.hi
	case "t_meets":
		return meets(a, b)
	case "t_metby":
		return meets(b, a)
	case "t_overlappedby":
		return a.lo > b.lo && a.lo < b.hi && a.hi > b.hi
	case "t_overlaps":
		return a.lo < b.lo && a.hi > b.lo && a.hi < b.hi
	case "t_startedby":
		return a.lo == b.lo && a.hi > b.hi
	case "t_starts":
		return a.lo == b.lo && a.hi < b.hi
	}
	return false
}
