package ostn15

import (
	"math/rand/v2"
	"testing"
)

// benchPoints returns the same pseudo-random National Grid positions over
// England and Wales (E 150-650 km, N 50-650 km) and their ETRS89
// latitude/longitude, for this package's benchmarks and the go-osgb
// comparison in osgb_bench_test.go.
func benchPoints(b *testing.B) (lat, lon, e, n []float64) {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	const count = 4096
	for range count {
		pe, pn := 150000+r.Float64()*500000, 50000+r.Float64()*600000
		la, lo, err := FromNationalGrid(pe, pn)
		if err != nil {
			b.Fatal(err)
		}
		e, n, lat, lon = append(e, pe), append(n, pn), append(lat, la), append(lon, lo)
	}
	return lat, lon, e, n
}

func reportPoints(b *testing.B, perOp int) {
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkToNationalGrid(b *testing.B) {
	lat, lon, _, _ := benchPoints(b)
	b.ResetTimer()
	for b.Loop() {
		for i := range lat {
			if _, _, err := ToNationalGrid(lat[i], lon[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportPoints(b, len(lat))
}

func BenchmarkFromNationalGrid(b *testing.B) {
	_, _, e, n := benchPoints(b)
	b.ResetTimer()
	for b.Loop() {
		for i := range e {
			if _, _, err := FromNationalGrid(e[i], n[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportPoints(b, len(e))
}

// BenchmarkGridLoad is the start-up cost: decoding the embedded grid into a
// ready transformer (what the first call, or Ready, pays once per process).
func BenchmarkGridLoad(b *testing.B) {
	for b.Loop() {
		if _, err := decode(gridBin); err != nil {
			b.Fatal(err)
		}
	}
}
