package i18n

import "testing"

// French groups digits with narrow no-break spaces and uses a decimal comma;
// this holds whether or not the French catalogue is loaded.
func TestFrenchDigits(t *testing.T) {
	if got := groupDigits("fr", 1234567.891, 2); got != "1\u202f234\u202f567,89" {
		t.Errorf("fr = %q", got)
	}
	if got := groupDigits("lo", 1234.5, 1); got != "1,234.5" {
		t.Errorf("lo = %q", got)
	}
	if got := groupDigits("en", -0.001, 2); got != "0" {
		t.Errorf("negative zero = %q", got)
	}
}
