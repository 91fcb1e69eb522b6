package handlers_test

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A small dense two-phase simplex for the disclosure audit
// (disclosure_audit_test.go): the adversary writes what it has read as
// linear constraints over non-negative unknowns and asks, for each
// suppressed figure, for the smallest and largest value it can take.
// The systems are small (one indicator: tens to a few hundred unknowns),
// so a dense tableau is plenty.

// lpOp is the relation of a constraint row.
type lpOp int8

const (
	lpLE lpOp = -1 // a·x ≤ b
	lpEQ lpOp = 0  // a·x = b
	lpGE lpOp = 1  // a·x ≥ b
)

// linExpr is a linear expression: coefficient by unknown.
type linExpr map[int]float64

// key names an expression canonically, so that the same figure published
// twice is checked once.
func (e linExpr) key() string {
	idx := make([]int, 0, len(e))
	for i, c := range e {
		if c != 0 {
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	var b strings.Builder
	for _, i := range idx {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(e[i], 'g', -1, 64))
		b.WriteByte(' ')
	}
	return b.String()
}

// eval is the expression's value at x.
func (e linExpr) eval(x []float64) float64 {
	s := 0.0
	for i, c := range e {
		s += c * x[i]
	}
	return s
}

type lpRow struct {
	a  linExpr
	op lpOp
	b  float64
}

// lpSystem is a set of linear constraints over n unknowns, all ≥ 0.
type lpSystem struct {
	n    int
	rows []lpRow
}

func (s *lpSystem) newVar() int { s.n++; return s.n - 1 }

func (s *lpSystem) add(a linExpr, op lpOp, b float64) {
	s.rows = append(s.rows, lpRow{a: a, op: op, b: b})
}

// holds reports whether x satisfies every row (within tol), and the first
// row that does not.
func (s *lpSystem) holds(x []float64, tol float64) (int, bool) {
	for i, r := range s.rows {
		v := r.a.eval(x)
		switch {
		case r.op == lpLE && v > r.b+tol, r.op == lpGE && v < r.b-tol, r.op == lpEQ && math.Abs(v-r.b) > tol:
			return i, false
		}
	}
	return -1, true
}

var errInfeasible = errors.New("lp: infeasible")

const lpEps = 1e-9

// lpSolver holds a feasible basis of a system (after phase 1), from which
// each objective is optimised on a copy of the tableau.
type lpSolver struct {
	n     int         // original unknowns
	cols  int         // columns of the tableau, without the right-hand side
	art   []bool      // artificial columns, never to enter again
	t     [][]float64 // rows: coefficients then right-hand side
	basis []int
}

// small bounds the variable x as a published "<5" does: 1 to 4.
func (s *lpSystem) small(x int) {
	s.add(linExpr{x: 1}, lpGE, 1)
	s.add(linExpr{x: 1}, lpLE, 4)
}

// mustSolve is newLPSolver for a system the test knows is feasible.
func mustSolve(t *testing.T, s *lpSystem) *lpSolver {
	t.Helper()
	p, err := newLPSolver(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newLPSolver finds a feasible basis (phase 1), or errInfeasible.
func newLPSolver(s *lpSystem) (*lpSolver, error) {
	m := len(s.rows)
	slacks, arts := 0, 0
	for _, r := range s.rows {
		op := r.op
		if r.b < 0 {
			op = -op
		}
		if op != lpEQ {
			slacks++
		}
		if op != lpLE {
			arts++
		}
	}
	cols := s.n + slacks + arts
	p := &lpSolver{n: s.n, cols: cols, art: make([]bool, cols), t: make([][]float64, m), basis: make([]int, m)}
	ns, na := s.n, s.n+slacks
	for i, r := range s.rows {
		row := make([]float64, cols+1)
		sign, op := 1.0, r.op
		if r.b < 0 {
			sign, op = -1, -op
		}
		for j, c := range r.a {
			row[j] += sign * c
		}
		row[cols] = sign * r.b
		switch op {
		case lpLE:
			row[ns] = 1
			p.basis[i] = ns
			ns++
		case lpGE:
			row[ns] = -1
			ns++
			fallthrough
		default:
			row[na] = 1
			p.art[na] = true
			p.basis[i] = na
			na++
		}
		p.t[i] = row
	}
	// Phase 1: minimise the sum of the artificial unknowns.
	cost := make([]float64, cols)
	for j := range cost {
		if p.art[j] {
			cost[j] = 1
		}
	}
	obj := p.objective(p.t, cost)
	if !simplex(p.t, p.basis, obj, nil) {
		return nil, errors.New("lp: phase 1 unbounded")
	}
	if -obj[cols] > 1e-7 {
		return nil, errInfeasible
	}
	// Drive the artificial unknowns left in the basis (at zero) out of it;
	// a row where none can leave is redundant and goes.
	keep := p.t[:0]
	kb := p.basis[:0]
	for i := range p.t {
		if p.art[p.basis[i]] {
			piv := -1
			for j := 0; j < cols; j++ {
				if !p.art[j] && math.Abs(p.t[i][j]) > 1e-7 {
					piv = j
					break
				}
			}
			if piv < 0 {
				continue
			}
			pivot(p.t, p.basis, nil, i, piv)
		}
		keep = append(keep, p.t[i])
		kb = append(kb, p.basis[i])
	}
	p.t, p.basis = keep, kb
	return p, nil
}

// objective is the reduced-cost row of cost for the tableau t with the
// solver's basis; its last entry is minus the objective's value.
func (p *lpSolver) objective(t [][]float64, cost []float64) []float64 {
	obj := make([]float64, p.cols+1)
	copy(obj, cost)
	for i, row := range t {
		if cb := cost[p.basis[i]]; cb != 0 {
			for j, v := range row {
				obj[j] -= cb * v
			}
		}
	}
	return obj
}

// minimize returns the smallest value of e over the system, or -Inf.
func (p *lpSolver) minimize(e linExpr) float64 {
	t := make([][]float64, len(p.t))
	for i, row := range p.t {
		t[i] = append([]float64(nil), row...)
	}
	basis := append([]int(nil), p.basis...)
	cost := make([]float64, p.cols)
	for j, c := range e {
		cost[j] = c
	}
	q := *p
	q.t, q.basis = t, basis
	obj := q.objective(t, cost)
	if !simplex(t, basis, obj, p.art) {
		return math.Inf(-1)
	}
	v := 0.0
	for i, b := range basis {
		v += cost[b] * t[i][p.cols]
	}
	return v
}

// maximize returns the largest value of e over the system, or +Inf.
func (p *lpSolver) maximize(e linExpr) float64 {
	neg := linExpr{}
	for j, c := range e {
		neg[j] = -c
	}
	return -p.minimize(neg)
}

// simplex minimises the objective row obj over the tableau t from the
// feasible basis; columns marked in banned never enter. Dantzig's rule,
// with Bland's rule after a run of degenerate pivots so that it cannot
// cycle. It reports false when the objective is unbounded below.
func simplex(t [][]float64, basis []int, obj []float64, banned []bool) bool {
	cols := len(obj) - 1
	degenerate := 0
	for iter := 0; iter < 50000; iter++ {
		bland := degenerate > 30
		enter := -1
		best := -lpEps
		for j := 0; j < cols; j++ {
			if banned != nil && banned[j] {
				continue
			}
			if obj[j] < best {
				enter, best = j, obj[j]
				if bland {
					break
				}
			}
		}
		if enter < 0 {
			return true
		}
		leave := -1
		ratio := math.Inf(1)
		for i, row := range t {
			if a := row[enter]; a > lpEps {
				r := row[cols] / a
				if r < ratio-lpEps || (r < ratio+lpEps && leave >= 0 && basis[i] < basis[leave]) {
					leave, ratio = i, r
				}
			}
		}
		if leave < 0 {
			return false
		}
		if ratio < lpEps {
			degenerate++
		} else {
			degenerate = 0
		}
		pivot(t, basis, obj, leave, enter)
	}
	panic("lp: simplex did not converge")
}

// pivot makes column c basic in row r.
func pivot(t [][]float64, basis []int, obj []float64, r, c int) {
	pr := t[r]
	inv := 1 / pr[c]
	for j := range pr {
		pr[j] *= inv
	}
	pr[c] = 1
	elim := func(row []float64) {
		f := row[c]
		if f == 0 {
			return
		}
		for j, v := range pr {
			if v != 0 {
				row[j] -= f * v
			}
		}
		row[c] = 0
	}
	for i, row := range t {
		if i != r {
			elim(row)
		}
	}
	if obj != nil {
		elim(obj)
	}
	basis[r] = c
}

// interval is the integer feasibility interval of e: the LP bounds
// tightened to whole numbers (the unknowns are counts).
func (p *lpSolver) interval(e linExpr) (lo, hi float64) {
	lo, hi = p.minimize(e), p.maximize(e)
	return math.Ceil(lo - 1e-6), math.Floor(hi + 1e-6)
}

// TestAuditLP checks the solver on small systems with known answers, among
// them the two examples of DISCLOSURE.md, so that the audit is known to be
// able to find a leak.
func TestAuditLP(t *testing.T) {
	t.Parallel()
	t.Run("two suppressed cells with a known sum of 2 are both pinned to 1", func(t *testing.T) {
		var s lpSystem
		a, b, c := s.newVar(), s.newVar(), s.newVar()
		s.add(linExpr{a: 1, b: 1, c: 1}, lpEQ, 9) // the total
		s.add(linExpr{c: 1}, lpEQ, 7)             // the published cell
		for _, x := range []int{a, b} {           // the two "<5"
			s.small(x)
		}
		p := mustSolve(t, &s)
		for _, x := range []int{a, b} {
			if lo, hi := p.interval(linExpr{x: 1}); lo != 1 || hi != 1 {
				t.Errorf("cell %d: [%v, %v], want [1, 1]", x, lo, hi)
			}
		}
	})
	t.Run("a target of 3.5 and the word Behind pin the actual to 2", func(t *testing.T) {
		var s lpSystem
		x := s.newVar()
		s.small(x)                               // "<5"
		add := func(e linExpr, lo, hi float64) { // the rating's bounds, as the audit writes them
			addBounds(&s, e, lo, hi)
		}
		lo, hi, ok := progressBand(nil, 3.5, "increase", 0.5, 0.85)
		if !ok {
			t.Fatal("no band for an increasing indicator")
		}
		add(linExpr{x: 1}, lo, hi)
		p := mustSolve(t, &s)
		if lo, hi := p.interval(linExpr{x: 1}); lo != 2 || hi != 2 {
			t.Errorf("[%v, %v], want [2, 2]", lo, hi)
		}
	})
	t.Run("a range total and the other quarters reveal a quarter", func(t *testing.T) {
		var s lpSystem
		q := []int{s.newVar(), s.newVar(), s.newVar(), s.newVar()}
		s.add(linExpr{q[0]: 1, q[1]: 1, q[2]: 1, q[3]: 1}, lpEQ, 23)
		s.add(linExpr{q[0]: 1}, lpEQ, 6)
		s.add(linExpr{q[1]: 1}, lpEQ, 7)
		s.add(linExpr{q[3]: 1}, lpEQ, 7)
		s.small(q[2])
		p := mustSolve(t, &s)
		if lo, hi := p.interval(linExpr{q[2]: 1}); lo != 3 || hi != 3 {
			t.Errorf("[%v, %v], want [3, 3]", lo, hi)
		}
	})
	t.Run("a well protected table keeps [1, 4]", func(t *testing.T) {
		// Total withheld, two cells "<5", one withheld, one published.
		var s lpSystem
		v, a, b, c, d := s.newVar(), s.newVar(), s.newVar(), s.newVar(), s.newVar()
		s.add(linExpr{a: 1, b: 1, c: 1, d: 1, v: -1}, lpEQ, 0)
		s.add(linExpr{d: 1}, lpEQ, 12)
		for _, x := range []int{a, b} {
			s.small(x)
		}
		p := mustSolve(t, &s)
		for _, x := range []int{a, b} {
			if lo, hi := p.interval(linExpr{x: 1}); lo != 1 || hi != 4 {
				t.Errorf("cell %d: [%v, %v], want [1, 4]", x, lo, hi)
			}
		}
		if lo, hi := p.interval(linExpr{c: 1}); lo != 0 || !math.IsInf(hi, 1) {
			t.Errorf("withheld cell: [%v, %v], want [0, +Inf]", lo, hi)
		}
		if lo := p.minimize(linExpr{v: 1}); math.Abs(lo-14) > 1e-9 {
			t.Errorf("total at least %v, want 14", lo)
		}
	})
	t.Run("running totals and equalities in a larger system", func(t *testing.T) {
		// Eight quarters of a cumulative count: the running totals of the
		// even quarters are published, the odd quarters "<5"; and a
		// redundant (duplicated) equality, which phase 1 must cope with.
		var s lpSystem
		var q []int
		for k := 0; k < 8; k++ {
			q = append(q, s.newVar())
		}
		run := linExpr{}
		want := []float64{2, 10, 1, 10, 3, 10, 4, 10}
		total := 0.0
		for k := range q {
			run[q[k]] = 1
			total += want[k]
			if k%2 == 1 {
				e := linExpr{}
				for j, c := range run {
					e[j] = c
				}
				s.add(e, lpEQ, total)
				s.add(e, lpEQ, total)
			} else {
				s.small(q[k])
			}
		}
		s.add(linExpr{q[7]: 1}, lpEQ, 10)
		s.add(linExpr{q[5]: 1}, lpEQ, 10)
		p := mustSolve(t, &s)
		// Quarter 6 is pinned (total after 8 minus total after 6 minus q7);
		// quarter 0 is not.
		if lo, hi := p.interval(linExpr{q[6]: 1}); lo != 4 || hi != 4 {
			t.Errorf("quarter 6: [%v, %v], want [4, 4]", lo, hi)
		}
		if lo, hi := p.interval(linExpr{q[0]: 1}); lo != 1 || hi != 4 {
			t.Errorf("quarter 0: [%v, %v], want [1, 4]", lo, hi)
		}
		if _, ok := s.holds([]float64{2, 10, 1, 10, 3, 10, 4, 10}, 1e-9); !ok {
			t.Error("the true values do not satisfy the system")
		}
	})
	t.Run("an infeasible system is reported", func(t *testing.T) {
		var s lpSystem
		x := s.newVar()
		s.add(linExpr{x: 1}, lpGE, 5)
		s.add(linExpr{x: 1}, lpLE, 4)
		if _, err := newLPSolver(&s); !errors.Is(err, errInfeasible) {
			t.Errorf("err = %v, want infeasible", err)
		}
	})
}
