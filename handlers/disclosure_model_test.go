package handlers_test

// The adversary's model of one indicator for TestDisclosureAudit: every
// published number, sum, rating word and target as a linear constraint,
// solved for each hidden figure's tightest interval.

import (
	"fmt"
	"math"
	"sort"

	"naptracker/domain"
)

// auditIndicator is the adversary's system for one indicator.
type auditIndicator struct {
	code        string
	plan        *planIndicator
	th          domain.Thresholds
	labels      []string
	labelToCell map[string]string
	iptt        *ipttIndicator
	api         map[int]apiValue
	fig         *figIndicator
	truth       auditTruth
	tally       *auditTally

	sys   lpSystem
	why   []string  // what each row of sys stands for
	vals  []float64 // the true value of each unknown (NaN: not known)
	names []string
	v     map[int]int            // period → unknown of the total
	c     map[string]map[int]int // cell → period → unknown
	cells []string               // cells in order of appearance
	// checks: the suppressed figures, by their expression.
	checks map[string]*auditCheck
	order  []string
}

type auditCheck struct {
	e                              linExpr
	source, where, cell, published string
}

func (a *auditIndicator) cellName(s string) string {
	if c, ok := a.labelToCell[s]; ok {
		return c
	}
	return s
}

// present notes the unknowns the outputs show to exist: a period with a
// value, a breakdown cell with a value.
func (a *auditIndicator) present() (vp map[int]bool, cp map[string]map[int]bool) {
	vp, cp = map[int]bool{}, map[string]map[int]bool{}
	cell := func(name string, k int) {
		if cp[name] == nil {
			cp[name] = map[int]bool{}
			a.cells = append(a.cells, name)
		}
		cp[name][k] = true
	}
	if a.iptt != nil {
		for k := range a.labels {
			if a.iptt.groups[k+1].actual.kind != pubNone {
				vp[k] = true
			}
		}
		for _, c := range a.iptt.cells {
			for k := range a.labels {
				if c.groups[k+1].kind != pubNone {
					cell(a.cellName(c.label), k)
				}
			}
		}
	}
	for k, v := range a.api {
		if v.pub().kind != pubNone {
			vp[k] = true
		}
		names := make([]string, 0, len(v.Disaggregation))
		for name := range v.Disaggregation {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			cell(name, k)
		}
	}
	if a.fig != nil {
		idx := a.periodIndex()
		for _, p := range a.fig.Periods {
			if k, ok := idx[p.Period]; ok && p.pub().kind != pubNone {
				vp[k] = true
			}
		}
		for _, b := range a.fig.Breakdown {
			for _, p := range b.Periods {
				if k, ok := idx[p.Period]; ok && p.pub().kind != pubNone {
					cell(a.cellName(b.Cell), k)
				}
			}
		}
	}
	return vp, cp
}

func (a *auditIndicator) periodIndex() map[string]int {
	idx := map[string]int{}
	for k, l := range a.labels {
		idx[l] = k
	}
	return idx
}

func (a *auditIndicator) newVar(name string, truth float64, ok bool) int {
	j := a.sys.newVar()
	a.names = append(a.names, name)
	if !ok {
		truth = math.NaN()
	}
	a.vals = append(a.vals, truth)
	return j
}

// series is the expression of an actual over the periods from..to of a
// series of unknowns (by period), by the accumulation mode (models.Actual);
// nil when no period of the window has a value.
func (a *auditIndicator) series(vars map[int]int, from, to int) linExpr {
	e := linExpr{}
	found := false
	last := -1
	for k := 0; k <= to; k++ {
		j, ok := vars[k]
		if !ok {
			continue
		}
		if k >= from {
			found = true
			last = j
		}
		if k >= from || a.plan.Accumulation == domain.AccumulateCumulative {
			e[j] = 1
		}
	}
	if !found {
		return nil
	}
	if a.plan.Accumulation == domain.AccumulateLatest {
		return linExpr{last: 1}
	}
	return e
}

func (a *auditIndicator) add(e linExpr, op lpOp, b float64, why string) {
	a.sys.add(e, op, b)
	a.why = append(a.why, why)
}

// bounds adds lo ≤ e ≤ hi for an expression that takes whole values (a
// sum of counts), rounded inward.
func (a *auditIndicator) bounds(e linExpr, lo, hi float64, why string) {
	if lo > 0 && !math.IsInf(lo, 1) {
		a.add(e, lpGE, math.Ceil(lo-1e-7), why)
	}
	if !math.IsInf(hi, 1) {
		a.add(e, lpLE, math.Floor(hi+1e-7), why)
	}
}

// addBounds is bounds for a bare system (used by the solver's own test).
func addBounds(s *lpSystem, e linExpr, lo, hi float64) {
	if lo > 0 && !math.IsInf(lo, 1) {
		s.add(e, lpGE, math.Ceil(lo-1e-7))
	}
	if !math.IsInf(hi, 1) {
		s.add(e, lpLE, math.Floor(hi+1e-7))
	}
}

// published writes what an output shows of the figure e; e nil means the
// model expects no value there.
func (a *auditIndicator) published(source, where, cell string, p pub, e linExpr) {
	why := fmt.Sprintf("%s %s %s %s = %s", a.code, where, cell, source, p)
	switch {
	case e == nil && p.kind == pubNone:
		return
	case e == nil:
		a.tally.inconsistent = append(a.tally.inconsistent, why+", where no value is reported")
		return
	case p.kind == pubNone:
		a.tally.inconsistent = append(a.tally.inconsistent, why+", where another output shows a value")
		return
	case p.kind == pubNum:
		a.add(e, lpEQ, p.x, why)
		return
	case p.kind == pubSmall:
		a.add(e, lpGE, 1, why)
		a.add(e, lpLE, 4, why)
	}
	key := e.key()
	if c, ok := a.checks[key]; ok {
		if p.kind == pubSmall && c.published != "<5" {
			c.published = "<5"
			c.source, c.where, c.cell = source, where, cell
		}
		return
	}
	a.checks[key] = &auditCheck{e: e, source: source, where: where, cell: cell, published: p.String()}
	a.order = append(a.order, key)
}

// rated writes what a rating word or a percentage of target beside a
// visible target tells about the actual e.
func (a *auditIndicator) rated(source, where string, e linExpr, target *float64, pct *float64, rating string) {
	if e == nil || target == nil {
		return
	}
	var baseline *float64
	if a.plan.Accumulation != domain.AccumulateSum { // models.MeasureBaseline
		baseline = a.plan.Baseline
	}
	inf := math.Inf(1)
	var bands [][2]float64
	switch rating {
	case domain.RAGOnTrack:
		bands = append(bands, [2]float64{a.th.Green, inf})
	case domain.RAGBehind:
		bands = append(bands, [2]float64{a.th.Red, a.th.Green})
	case domain.RAGOffTrack:
		bands = append(bands, [2]float64{-inf, a.th.Red})
	}
	if pct != nil {
		eps := 1e-9 * math.Max(1, math.Abs(*pct))
		bands = append(bands, [2]float64{*pct - eps, *pct + eps})
	}
	for _, b := range bands {
		if lo, hi, ok := progressBand(baseline, *target, a.plan.Direction, b[0], b[1]); ok {
			a.bounds(e, lo, hi, fmt.Sprintf("%s %s %s: progress in [%v, %v] of target %v", a.code, where, source, b[0], b[1], *target))
		}
	}
}

// progressBand turns plo ≤ models.Progress(actual, baseline, target,
// direction) ≤ phi into an interval of the actual (a count, ≥ 0): exact
// where progress is linear in the actual, the convex hull where it is not
// (maintain, decrease without a baseline), and ok false where even that
// says nothing.
func progressBand(baseline *float64, t float64, dir string, plo, phi float64) (lo, hi float64, ok bool) {
	inf := math.Inf(1)
	in := func(p float64) bool { return p >= plo && p <= phi }
	zeroTarget := func() (float64, float64, bool) { // progress is 1 at 0 and 0 above
		switch {
		case in(1) && !in(0):
			return 0, 0, true
		case in(0) && !in(1):
			return 1, inf, true
		}
		return 0, 0, false
	}
	switch {
	case dir == domain.Maintain:
		if t == 0 {
			return zeroTarget()
		}
		if plo <= 0 { // 1 − |a − t|/|t| ≤ phi is not convex
			return 0, 0, false
		}
		w := (1 - plo) * math.Abs(t)
		return t - w, t + w, true
	case baseline != nil && t != *baseline:
		d := t - *baseline
		lo, hi = *baseline+plo*d, *baseline+phi*d
		if d < 0 {
			lo, hi = hi, lo
		}
		return lo, hi, true
	case dir == domain.Decrease:
		switch {
		case t < 0:
			return 0, 0, false
		case t == 0:
			return zeroTarget()
		case phi <= 0: // t/a is positive
			return 0, 0, false
		}
		// 0 scores 1; a > 0 scores t/a.
		lo, hi = t/phi, inf
		if plo > 0 {
			hi = t / plo
		}
		if in(1) {
			lo = 0
		}
		return lo, hi, true
	default: // increase, measured as actual ÷ target
		if t == 0 {
			return 0, 0, false
		}
		lo, hi = plo*t, phi*t
		if t < 0 {
			lo, hi = hi, lo
		}
		return lo, hi, true
	}
}

func (a *auditIndicator) run() {
	a.checks = map[string]*auditCheck{}
	a.v, a.c = map[int]int{}, map[string]map[int]int{}
	vp, cp := a.present()
	tv, tc := a.truth.v[a.code], a.truth.c[a.code]
	for k := range a.labels {
		if vp[k] {
			x, ok := tv[k]
			a.v[k] = a.newVar(a.labels[k], x, ok)
		}
	}
	for _, cell := range a.cells {
		a.c[cell] = map[int]int{}
		for k := range a.labels {
			if cp[cell][k] {
				x, ok := tc[cell][k]
				a.c[cell][k] = a.newVar(a.labels[k]+" "+cell, x, ok)
			}
		}
	}
	last := len(a.labels) - 1
	// Each breakdown adds up to its total.
	for k := range a.labels {
		e := linExpr{}
		for _, cell := range a.cells {
			if j, ok := a.c[cell][k]; ok {
				e[j] = 1
			}
		}
		if len(e) == 0 {
			continue
		}
		j, ok := a.v[k]
		if !ok {
			a.tally.inconsistent = append(a.tally.inconsistent, fmt.Sprintf("%s %s: a breakdown without a total", a.code, a.labels[k]))
			continue
		}
		e[j] = -1
		a.add(e, lpEQ, 0, fmt.Sprintf("%s %s: the breakdown adds up to the total", a.code, a.labels[k]))
	}
	where := func(g int) string {
		if g == 0 {
			return "range"
		}
		return a.labels[g-1]
	}
	window := func(g int) (int, int) {
		if g == 0 {
			return 0, last
		}
		return g - 1, g - 1
	}
	pctOf := func(p pub) *float64 {
		if p.kind == pubNum {
			return &p.x
		}
		return nil
	}
	// 1. The IPTT.
	if w := a.iptt; w != nil {
		for g, grp := range w.groups {
			from, to := window(g)
			e := a.series(a.v, from, to)
			a.published("IPTT", where(g), "", grp.actual, e)
			if grp.actual.kind != pubNone {
				a.rated("IPTT", where(g), e, grp.target, pctOf(grp.pct), grp.rating)
			}
		}
		for _, c := range w.cells {
			name := a.cellName(c.label)
			for g, p := range c.groups {
				from, to := window(g)
				a.published("IPTT", where(g), name, p, a.series(a.c[name], from, to))
			}
		}
	}
	// 2. The API values.
	for k := range a.labels {
		v, ok := a.api[k]
		if !ok {
			continue
		}
		if p := v.pub(); p.kind != pubNone {
			a.published("API", a.labels[k], "", p, linExpr{a.v[k]: 1})
		}
		for name, raw := range v.Disaggregation {
			a.published("API", a.labels[k], name, rawPub(raw), linExpr{a.c[name][k]: 1})
		}
	}
	// 3. The figures.
	if fg := a.fig; fg != nil {
		idx := a.periodIndex()
		point := func(p *figPoint, g int, vars map[int]int, cell string) {
			from, to := window(g)
			e := a.series(vars, from, to)
			pp := p.pub()
			a.published("figures", where(g), cell, pp, e)
			if pp.kind != pubNone && cell == "" {
				a.rated("figures", where(g), e, p.Target, p.Progress, p.Rating)
			}
		}
		if fg.Range != nil {
			point(fg.Range, 0, a.v, "")
		}
		for i := range fg.Periods {
			if k, ok := idx[fg.Periods[i].Period]; ok {
				point(&fg.Periods[i], k+1, a.v, "")
			}
		}
		for _, b := range fg.Breakdown {
			name := a.cellName(b.Cell)
			if b.Range != nil {
				point(b.Range, 0, a.c[name], name)
			}
			for i := range b.Periods {
				if k, ok := idx[b.Periods[i].Period]; ok {
					point(&b.Periods[i], k+1, a.c[name], name)
				}
			}
		}
	}
	if len(a.order) == 0 {
		return
	}
	a.tally.indicators++
	a.solve()
}

// solve checks the model against the truth, then bounds every suppressed figure.
func (a *auditIndicator) solve() {
	// The true values must satisfy what was read, or the model is wrong.
	known := true
	for _, x := range a.vals {
		known = known && !math.IsNaN(x)
	}
	if known {
		if i, ok := a.sys.holds(a.vals, 1e-6); !ok {
			a.tally.inconsistent = append(a.tally.inconsistent, "the true values break "+a.why[i])
			return
		}
	}
	p, err := newLPSolver(&a.sys)
	if err != nil {
		a.tally.inconsistent = append(a.tally.inconsistent, fmt.Sprintf("%s: %v", a.code, err))
		return
	}
	for _, key := range a.order {
		c := a.checks[key]
		lo, hi := p.interval(c.e)
		truth := c.e.eval(a.vals)
		a.tally.checked++
		if truth < lo || truth > hi {
			a.tally.inconsistent = append(a.tally.inconsistent, fmt.Sprintf("%s %s %s: the true value %v is outside the feasible [%v, %v]", a.code, c.where, c.cell, truth, lo, hi))
		}
		small := c.published == "<5" || (truth >= 1 && truth <= 4)
		if !small {
			if lo == hi {
				a.tally.pinned++
			}
			continue
		}
		if lo <= 1 && hi >= 4 {
			continue
		}
		a.tally.narrowed++
		if lo == hi {
			a.tally.exact++
		}
		a.tally.findings = append(a.tally.findings, auditFinding{indicator: a.code, source: c.source, where: c.where,
			cell: c.cell, published: c.published, lo: lo, hi: hi, truth: truth})
	}
}
