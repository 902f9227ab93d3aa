package ostn15

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

// readCSV returns the rows of one of OS's test files keyed by point ID (the
// OSGBtoETRS output has several rows per point: iterations, then RESULT).
func readCSV(t *testing.T, name string) (header []string, rows map[string][][]string, order []string) {
	t.Helper()
	f, err := os.Open(testref.Shared(t, "reference/ostn15/"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	rows = map[string][][]string{}
	for _, rec := range recs[1:] {
		if len(rec) < 2 || strings.TrimSpace(rec[0]) == "" {
			continue
		}
		id := strings.TrimSpace(rec[0])
		if _, ok := rows[id]; !ok {
			order = append(order, id)
		}
		rows[id] = append(rows[id], rec)
	}
	return recs[0], rows, order
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatalf("OS test file value %q: %v", s, err)
	}
	return v
}

// marksOutside reports whether an OS output row says the point could not be
// transformed (OS prints a text marker instead of coordinates).
func marksOutside(rec []string) bool {
	for _, f := range rec[1:] {
		if strings.Contains(strings.ToLower(f), "outside") {
			return true
		}
	}
	return false
}

func TestETRS89ToNationalGridMatchesOS(t *testing.T) {
	_, in, order := readCSV(t, "OSTN15_OSGM15_TestInput_ETRStoOSGB.txt")
	_, out, _ := readCSV(t, "OSTN15_OSGM15_TestOutput_ETRStoOSGB.txt")
	if len(order) < 40 {
		t.Fatalf("only %d OS test points read", len(order))
	}
	var worst float64
	for _, id := range order {
		lat, lon := num(t, in[id][0][1]), num(t, in[id][0][2])
		e, n, err := ToNationalGrid(lat, lon)
		want, ok := out[id]
		if !ok || marksOutside(want[0]) {
			if err == nil || !errors.Is(err, ErrOutside) {
				t.Errorf("%s: OS marks it outside OSTN15, got %.3f,%.3f err %v", id, e, n, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		de := math.Abs(e - num(t, want[0][1]))
		dn := math.Abs(n - num(t, want[0][2]))
		worst = max(worst, de, dn)
		if de > 0.001 || dn > 0.001 {
			t.Errorf("%s: got %.4f,%.4f want %s,%s (off %.4f, %.4f m)", id, e, n, want[0][1], want[0][2], de, dn)
		}
	}
	t.Logf("ETRS89 -> OSGB36: %d points, worst difference %.2f mm", len(order), worst*1000)
}

func TestNationalGridToETRS89MatchesOS(t *testing.T) {
	_, in, order := readCSV(t, "OSTN15_OSGM15_TestInput_OSGBtoETRS.txt")
	_, out, _ := readCSV(t, "OSTN15_OSGM15_TestOutput_OSGBtoETRS.txt")
	if len(order) < 40 {
		t.Fatalf("only %d OS test points read", len(order))
	}
	g, err := load()
	if err != nil {
		t.Fatal(err)
	}
	var worstDeg, worstGrid float64
	for _, id := range order {
		e, n := num(t, in[id][0][1]), num(t, in[id][0][2])
		lat, lon, err := FromNationalGrid(e, n)
		rows := out[id]
		var result, lastIter []string
		for _, r := range rows {
			switch {
			case strings.TrimSpace(r[1]) == "RESULT":
				result = r
			case !marksOutside(r):
				lastIter = r
			}
		}
		if result == nil || marksOutside(result) {
			if err == nil || !errors.Is(err, ErrOutside) {
				t.Errorf("%s: OS marks it outside OSTN15, got %.9f,%.9f err %v", id, lat, lon, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		dlat := math.Abs(lat - num(t, result[2]))
		dlon := math.Abs(lon - num(t, result[3]))
		worstDeg = max(worstDeg, dlat, dlon)
		if dlat > 1e-8 || dlon > 1e-8 {
			t.Errorf("%s: got %.11f,%.11f want %s,%s (off %.2g, %.2g deg)", id, lat, lon, result[2], result[3], dlat, dlon)
		}
		// OS also prints the converged ETRS89 grid position, which checks
		// the iteration separately from the projection.
		if lastIter != nil {
			ge, gn, err := g.etrs89Grid(e, n)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			de := math.Abs(ge - num(t, lastIter[2]))
			dn := math.Abs(gn - num(t, lastIter[3]))
			worstGrid = max(worstGrid, de, dn)
			if de > 0.001 || dn > 0.001 {
				t.Errorf("%s: converged ETRS89 grid %.4f,%.4f, OS %s,%s", id, ge, gn, lastIter[2], lastIter[3])
			}
		}
	}
	t.Logf("OSGB36 -> ETRS89: %d points, worst %.2g deg, worst converged grid position %.2f mm",
		len(order), worstDeg, worstGrid*1000)
}

// TestEmbeddedGridMatchesOSNodes compares the decoded grid with the node
// shifts OS prints for every test point (record number and the four corner
// shifts), so a damaged or misaligned embedded file cannot pass unnoticed.
func TestEmbeddedGridMatchesOSNodes(t *testing.T) {
	header, out, order := readCSV(t, "OSTN15_OSGM15_TestOutput_ETRStoOSGB.txt")
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	checked := 0
	for _, id := range order {
		rec := out[id][0]
		for k := range 4 {
			ks := strconv.Itoa(k)
			recNo := int(num(t, rec[col["RecNoS"+ks]]))
			c, r := (recNo-1)%cols, (recNo-1)/cols
			se, sn, ok, err := Node(c, r)
			if err != nil || !ok {
				t.Fatalf("%s: node %d: ok %v err %v", id, recNo, ok, err)
			}
			if se != num(t, rec[col["Se"+ks]]) || sn != num(t, rec[col["Sn"+ks]]) {
				t.Errorf("%s: node %d shifts %.3f,%.3f, OS prints %s,%s", id, recNo, se, sn, rec[col["Se"+ks]], rec[col["Sn"+ks]])
			}
			checked++
		}
	}
	if checked < 160 {
		t.Fatalf("only %d nodes checked", checked)
	}
}
