package money

import (
	"encoding/json"
	"math/big"
	"testing"
)

func TestParse(t *testing.T) {
	good := map[string]Amount{
		"100000.01": 10000001, "5000": 500000, "0.1": 10, "£1,250.00": 125000, "-12.50": -1250,
		"29999.99": 2999999, "+3": 300, "-£5": -500, "£-5.5": -550, " 1,234,567.89 ": 123456789, "0": 0,
	}
	for in, want := range good {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1.234", "abc", "1.", ".5", "1e5", "12.3.4", "99999999999999999999",
		"1,2,3", "12,34", ",123", "1,2345", "£", "--5", "5-", "0.005"} {
		if v, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted as %d", bad, v)
		}
	}
}

func TestFormatting(t *testing.T) {
	for a, want := range map[Amount]string{10000001: "100000.01", -5: "-0.05", 0: "0.00", 123456789: "1234567.89"} {
		if s := a.String(); s != want {
			t.Errorf("String(%d) = %s, want %s", a, s, want)
		}
	}
	for a, want := range map[Amount]string{123456789: "£1,234,567.89", -500: "-£5.00", 99: "£0.99", 100000: "£1,000.00"} {
		if s := a.Display(); s != want {
			t.Errorf("Display(%d) = %s, want %s", a, s, want)
		}
	}
}

func TestJSON(t *testing.T) {
	b, _ := json.Marshal(Amount(20772000))
	if string(b) != `"207720.00"` {
		t.Errorf("JSON = %s", b)
	}
	var a Amount
	for in, want := range map[string]Amount{`0.30`: 30, `"£1,250.00"`: 125000, `"12.5"`: 1250, `-7`: -700} {
		if err := json.Unmarshal([]byte(in), &a); err != nil || a != want {
			t.Errorf("%s read as %d, %v; want %d", in, a, err, want)
		}
	}
	a = 42
	if err := json.Unmarshal([]byte(`null`), &a); err != nil || a != 42 {
		t.Errorf("null changed the amount to %d (%v)", a, err)
	}
	for _, bad := range []string{`1e3`, `"1.234"`, `0.001`, `true`} {
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("%s accepted as %d", bad, a)
		}
	}
}

func TestFromRatRoundsHalfAwayFromZero(t *testing.T) {
	cases := []struct {
		num, den int64
		want     Amount
	}{
		{1, 200, 1},             // £0.005 -> 1p
		{-1, 200, -1},           // -£0.005 -> -1p
		{1, 300, 0},             // £0.00333 -> 0p
		{2, 300, 1},             // £0.00667 -> 1p
		{2994210, 103500, 2893}, // £28.929565... -> £28.93
		{123456789, 100, 123456789},
	}
	for _, c := range cases {
		if got := FromRat(big.NewRat(c.num, c.den)); got != c.want {
			t.Errorf("FromRat(%d/%d) = %d, want %d", c.num, c.den, got, c.want)
		}
	}
	if got := FromRat(Amount(-123).Rat()); got != -123 {
		t.Errorf("round trip of -123p gave %d", got)
	}
}

func TestMulDiv(t *testing.T) {
	cases := []struct{ a, b, c, want int64 }{
		{1, 2000, 10000, 0}, {3, 2000, 10000, 1}, {-3, 2000, 10000, -1}, {250, 2000, 10000, 50},
		// 10^15 pence x 10^6 needs more than 64 bits in the middle.
		{1_000_000_000_000_000, 1_000_000, 3_000_000, 333_333_333_333_333},
	}
	for _, c := range cases {
		if got := MulDiv(c.a, c.b, c.c); got != c.want {
			t.Errorf("MulDiv(%d, %d, %d) = %d, want %d", c.a, c.b, c.c, got, c.want)
		}
	}
}
