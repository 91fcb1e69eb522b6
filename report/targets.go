package report

// yearTarget is one yearly target of an indicator.
type yearTarget struct {
	year  int
	value float64
}

// targetsOf fills m (cleared first) with an indicator's targets by year.
func targetsOf(m map[int]float64, ts []yearTarget) map[int]float64 {
	clear(m)
	for _, t := range ts {
		m[t.year] = t.value
	}
	return m
}
