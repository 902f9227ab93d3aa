// Package gridcode is the compact OSTN15 grid format shared by its writer
// (the go generate program) and its reader (gis/crs/ostn15): one definition
// of the layout and the predictor, so the two can never drift apart.
package gridcode

import "math"

const (
	// Magic starts the file and names the format version.
	Magic = "OSTN15c1"
	// Cols and Rows are the published OSTN15 grid: nodes every Spacing
	// metres from 0,0 in ETRS89 National Grid coordinates.
	Cols    = 701
	Rows    = 1251
	Spacing = 1000
	// NoData in the east shift marks a node without data. OSTN15 has none
	// today, but the format keeps the notion so a grid with holes cannot be
	// misread.
	NoData = math.MinInt32
)

// Predict estimates node i (row-major) from its decoded neighbours: left +
// below - below-left, falling back to the single neighbour on the first row
// and column. The file stores each shift as its difference from this.
func Predict(p []int32, i int) int64 {
	c, r := i%Cols, i/Cols
	switch {
	case r == 0 && c == 0:
		return 0
	case r == 0:
		return int64(p[i-1])
	case c == 0:
		return int64(p[i-Cols])
	default:
		return int64(p[i-1]) + int64(p[i-Cols]) - int64(p[i-Cols-1])
	}
}
