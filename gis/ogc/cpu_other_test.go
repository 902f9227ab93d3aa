//go:build !linux

package ogc

import "testing"

// reportCPU runs body b.N times; CPU time per operation is measured on
// Linux only.
func reportCPU(b *testing.B, body func(i int)) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body(i)
	}
}
