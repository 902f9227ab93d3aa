package procurement

import "testing"

func TestCheckCPV(t *testing.T) {
	// Published codes from the CPV 2008 list across divisions.
	for _, c := range []string{"72000000-5", "48000000-8", "30200000-1", "45000000-7", "03000000-1", "79000000-4",
		"72222300-0", "48760000-3", "30213100-6", "32412000-4", "72267000-4", "72252000-6", "79411000-8",
		"50730000-1", "90911200-8", "03111900-1", "03114200-5", "72400000-4", "64200000-8", "48218000-9"} {
		if err := CheckCPV(c); err != nil {
			t.Errorf("%s rejected: %v", c, err)
		}
	}
	for _, c := range []string{"72000000-4", "72000000", "7200000-5", "72000000_5", "7200000A-5", ""} {
		if CheckCPV(c) == nil {
			t.Errorf("%s accepted", c)
		}
	}
}
