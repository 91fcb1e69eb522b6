package planedit

import (
	"testing"

	"naptracker/i18n"
)

// TestDependentKindsAreInTheCatalogue checks that every kind of dependent a
// refused delete can name has its words in the catalogue (the template
// scan cannot see keys built from values).
func TestDependentKindsAreInTheCatalogue(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	kinds := dependentKinds()
	if len(kinds) == 0 {
		t.Fatal("no dependent kinds")
	}
	for _, k := range kinds {
		if !b.Has(i18n.Default, "pe.dep."+k) {
			t.Errorf("key %q is missing from the catalogue", "pe.dep."+k)
		}
	}
}

// dependentKinds lists every kind of dependent a refused delete can name,
// so that a test can check each has its words in the catalogue.
func dependentKinds() []string {
	seen := map[string]bool{}
	var out []string
	for _, deps := range dependents {
		for _, d := range deps {
			if !seen[d.kind] {
				seen[d.kind] = true
				out = append(out, d.kind)
			}
		}
	}
	return out
}
