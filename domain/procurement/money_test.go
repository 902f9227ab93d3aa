package procurement

import "testing"

func TestVAT(t *testing.T) {
	cases := []struct{ net, vat, gross Pence }{
		{Pounds(173100), Pounds(34620), Pounds(207720)},
		{1, 0, 1},    // 0.2p rounds down
		{3, 1, 4},    // 0.6p rounds up
		{-3, -1, -4}, // credits round away from zero too
		{250, 50, 300},
	}
	for _, c := range cases {
		if v := VAT(c.net, StandardVAT); v != c.vat {
			t.Errorf("VAT(%s) = %s, want %s", c.net, v, c.vat)
		}
		if g := IncVAT(c.net, StandardVAT); g != c.gross {
			t.Errorf("IncVAT(%s) = %s, want %s", c.net, g, c.gross)
		}
	}
	if n := ExVAT(Pounds(207720), StandardVAT); n != Pounds(173100) {
		t.Errorf("ExVAT = %s", n)
	}
}
