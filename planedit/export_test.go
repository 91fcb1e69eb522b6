package planedit

// DependentKinds lists every kind of dependent a refused delete can name,
// so that a test can check each has its words in the catalogue.
func DependentKinds() []string {
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
