package procurement

import (
	"encoding/json"
	"testing"
)

func TestParsePence(t *testing.T) {
	good := map[string]Pence{
		"100000.01": 10000001, "5000": 500000, "0.1": 10, "£1,250.00": 125000, "-12.50": -1250, "29999.99": 2999999,
	}
	for in, want := range good {
		got, err := ParsePence(in)
		if err != nil || got != want {
			t.Errorf("ParsePence(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1.234", "abc", "1.", ".5", "1e5", "12.3.4", "99999999999999999999"} {
		if _, err := ParsePence(bad); err == nil {
			t.Errorf("ParsePence(%q) accepted", bad)
		}
	}
}

func TestPenceFormatting(t *testing.T) {
	if s := Pence(10000001).String(); s != "100000.01" {
		t.Errorf("String = %s", s)
	}
	if s := Pence(-5).String(); s != "-0.05" {
		t.Errorf("String = %s", s)
	}
	if s := Pence(123456789).Display(); s != "£1,234,567.89" {
		t.Errorf("Display = %s", s)
	}
	b, _ := json.Marshal(Pence(20772000))
	if string(b) != `"207720.00"` {
		t.Errorf("JSON = %s", b)
	}
	var p Pence
	if err := json.Unmarshal([]byte(`0.30`), &p); err != nil || p != 30 {
		t.Errorf("number 0.30 read as %d, %v", p, err)
	}
	if err := json.Unmarshal([]byte(`1e3`), &p); err == nil {
		t.Error("exponent accepted")
	}
}

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
