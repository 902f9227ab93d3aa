package ostn15

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestOutsideExtentIsAnError(t *testing.T) {
	geo := []struct {
		name     string
		lat, lon float64
	}{
		{"Paris", 48.8566, 2.3522},
		{"Dublin, west of the grid", 53.3498, -9.9},
		{"Faroe Islands, north of the grid", 62.01, -6.77},
		{"antipode of the central meridian", 55, 178},
		{"north pole", 90, 0},
		{"NaN latitude", math.NaN(), -1},
		{"infinite longitude", 52, math.Inf(1)},
	}
	for _, c := range geo {
		e, n, err := ToNationalGrid(c.lat, c.lon)
		if !errors.Is(err, ErrOutside) {
			t.Errorf("%s: got %.3f,%.3f err %v, want ErrOutside", c.name, e, n, err)
		}
	}
	grid := []struct {
		name string
		e, n float64
	}{
		{"negative easting", -1, 500000},
		{"beyond the east edge", 700500, 500000},
		{"beyond the north edge", 300000, 1250100},
		{"west edge: the ETRS89 position falls west of the grid", 40, 500000},
		{"NaN", math.NaN(), 100},
		{"huge", 1e300, 1e300},
	}
	for _, c := range grid {
		lat, lon, err := FromNationalGrid(c.e, c.n)
		if !errors.Is(err, ErrOutside) {
			t.Errorf("%s: got %.9f,%.9f err %v, want ErrOutside", c.name, lat, lon, err)
		}
	}
}

// TestGeographicWindowCoversGrid checks the cheap latitude/longitude guard
// never rejects a point whose projection lies on the grid: every point of the
// grid's boundary must unproject inside the window.
func TestGeographicWindowCoversGrid(t *testing.T) {
	check := func(e, n float64) {
		phi, lam := unproject(e, n)
		lat, lon := phi*radToDeg, lam*radToDeg
		if lat < minLat || lat > maxLat || lon < minLon || lon > maxLon {
			t.Fatalf("grid position %.0f,%.0f unprojects to %.4f,%.4f outside the window", e, n, lat, lon)
		}
	}
	for e := 0.0; e <= MaxEasting; e += 1000 {
		check(e, 0)
		check(e, MaxNorthing)
	}
	for n := 0.0; n <= MaxNorthing; n += 1000 {
		check(0, n)
		check(MaxEasting, n)
	}
}

func TestGridCornersAreInside(t *testing.T) {
	g, err := load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]float64{{0, 0}, {MaxEasting, 0}, {0, MaxNorthing}, {MaxEasting, MaxNorthing}, {MaxEasting, 1000.5}} {
		se, sn, err := g.shift(p[0], p[1])
		if err != nil {
			t.Errorf("corner %v: %v", p, err)
			continue
		}
		// On a node the interpolation must return the published value.
		if p[1] != 1000.5 {
			we, wn, _, _ := Node(int(p[0]/spacing), int(p[1]/spacing))
			if math.Abs(se-we) > 1e-9 || math.Abs(sn-wn) > 1e-9 {
				t.Errorf("corner %v: shift %.4f,%.4f, node %.3f,%.3f", p, se, sn, we, wn)
			}
		}
	}
}

// TestReverseInvertsForward checks the reverse iteration on random points
// across the whole grid: shifting an ETRS89 grid position forward and then
// iterating back must recover it to OS's 0.1 mm convergence.
func TestReverseInvertsForward(t *testing.T) {
	g, err := load()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var worst float64
	for range 20000 {
		e, n := r.Float64()*MaxEasting, r.Float64()*MaxNorthing
		se, sn, err := g.shift(e, n)
		if err != nil {
			t.Fatalf("%.3f,%.3f: %v", e, n, err)
		}
		e2, n2, err := g.etrs89Grid(e+se, n+sn)
		if err != nil {
			t.Fatalf("%.3f,%.3f: %v", e, n, err)
		}
		worst = max(worst, math.Abs(e2-e), math.Abs(n2-n))
	}
	if worst > convergence {
		t.Errorf("reverse iteration worst difference %.4f mm", worst*1000)
	}
}

// TestRoundTrip sends random National Grid points both ways. East of 100 km
// (all of Great Britain but the far west of the Outer Hebrides and St Kilda)
// OS's projection series agree with each other to about a millimetre; further
// west their truncation reaches several millimetres, which is a property of
// the published method that OS's own test vectors share, so it is not tested
// here.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var worst float64
	for range 20000 {
		e := 100000 + r.Float64()*(MaxEasting-100000)
		n := r.Float64() * (MaxNorthing - 200)
		lat, lon, err := FromNationalGrid(e, n)
		if err != nil {
			t.Fatalf("%.3f,%.3f: %v", e, n, err)
		}
		e2, n2, err := ToNationalGrid(lat, lon)
		if err != nil {
			t.Fatalf("%.3f,%.3f -> %.9f,%.9f: %v", e, n, lat, lon, err)
		}
		worst = max(worst, math.Abs(e2-e), math.Abs(n2-n))
	}
	if worst > 0.0015 {
		t.Errorf("round trip worst difference %.4f mm", worst*1000)
	}
	t.Logf("round trip over 20000 random points east of 100 km: worst %.4f mm", worst*1000)
}

func TestLicenceTravelsWithGrid(t *testing.T) {
	for _, want := range []string{"Ordnance Survey", "Redistribution and use in source and binary forms"} {
		if !containsFold(Licence, want) {
			t.Errorf("embedded licence lacks %q", want)
		}
	}
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestDecodeRejectsDamagedGrid(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"bad magic": append([]byte("OSTN02c1"), gridBin[8:]...),
		"truncated": gridBin[:len(gridBin)/2],
	} {
		if _, err := decode(b); err == nil {
			t.Errorf("%s: decode accepted it", name)
		}
	}
}

func FuzzTransform(f *testing.F) {
	f.Add(52.0, -1.5, 400000.0, 300000.0)
	f.Add(49.0, -10.5, 0.0, 0.0)
	f.Add(62.0, 4.5, 700000.0, 1250000.0)
	f.Add(math.NaN(), math.Inf(-1), -1.0, 1e308)
	f.Fuzz(func(t *testing.T, lat, lon, e, n float64) {
		ge, gn, err := ToNationalGrid(lat, lon)
		if err == nil {
			if !(ge >= 0 && ge <= MaxEasting+200 && gn >= -200 && gn <= MaxNorthing) {
				t.Fatalf("%g,%g -> %g,%g accepted outside the grid", lat, lon, ge, gn)
			}
		} else if !errors.Is(err, ErrOutside) {
			t.Fatalf("%g,%g: unexpected error %v", lat, lon, err)
		}
		la, lo, err := FromNationalGrid(e, n)
		if err == nil {
			if !(e >= 0 && e <= MaxEasting+200 && n >= -200 && n <= MaxNorthing) {
				t.Fatalf("%g,%g accepted outside the grid", e, n)
			}
			if !(la >= minLat && la <= maxLat && lo >= minLon && lo <= maxLon) {
				t.Fatalf("%g,%g -> %g,%g outside the window", e, n, la, lo)
			}
		} else if !errors.Is(err, ErrOutside) {
			t.Fatalf("%g,%g: unexpected error %v", e, n, err)
		}
	})
}

// TestFootpointNewtonStep checks the claim unproject's loop relies on: from
// footpointGuess, one Newton step meets OS's 0.01 mm criterion for M
// anywhere on the grid's northings.
func TestFootpointNewtonStep(t *testing.T) {
	for n := -1000.0; n <= MaxNorthing+1000; n += 500 {
		phi := footpointGuess(n)
		m, sin, _ := meridionalArc(phi)
		w := 1 - e2*sin*sin
		phi += (n - n0 - m) * w * math.Sqrt(w) / (aF0 * (1 - e2))
		if m, _, _ = meridionalArc(phi); math.Abs(n-n0-m) >= 0.00001 {
			t.Fatalf("northing %.0f: residual %.3g m after one step", n, n-n0-m)
		}
	}
}
