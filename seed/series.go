package seed

import (
	"math"
	"math/rand/v2"

	"naptracker/domain"
)

// periodsPerYear: both seeded plans report quarterly.
const periodsPerYear = 4

// series describes how one indicator's reported values move over the
// quarters of a plan: from the baseline toward the yearly targets at a pace
// (1 keeps up with the targets, above 1 is ahead, below 1 behind).
type series struct {
	unit, dir, acc string
	base           *float64
	targets        []float64 // per plan year, used even when the plan stores none
	pace           float64
	steps          []string // milestone states, the last one meaning achieved
	dueY           int      // milestone and yes/no: plan year (0-based) in which it is due
	done           int      // milestone and yes/no: quarter index in which it is achieved; 0 = not within the plan
	cells          []string // breakdown cells of a disaggregated count
}

// point is the value reported for one quarter, with its breakdown (parallel
// to series.cells) and, for milestones, the state reached.
type point struct {
	value float64
	text  string
	cells []float64
}

// target is the target of plan year y (the last one beyond the end).
func (s series) target(y int) float64 {
	if len(s.targets) == 0 {
		return 0
	}
	if y >= len(s.targets) {
		y = len(s.targets) - 1
	}
	return s.targets[y]
}

// path interpolates between year-end targets, from start before the first
// quarter, giving where the indicator should stand at the end of quarter k.
func (s series) path(k int, start float64) float64 {
	y, q := k/periodsPerYear, k%periodsPerYear
	prev := start
	if y > 0 {
		prev = s.target(y - 1)
	}
	return prev + (s.target(y)-prev)*float64(q+1)/periodsPerYear
}

// generate computes the value of every one of n quarters. Its output depends
// only on rng's seed and the series, never on the date of seeding.
func (s series) generate(rng *rand.Rand, n int) []point {
	out := make([]point, n)
	switch {
	case s.unit == domain.UnitMilestone:
		s.milestone(out)
	case s.unit == domain.UnitYesNo:
		s.yesNo(out)
	case s.acc == domain.AccumulateSum:
		s.sum(rng, out)
	case s.acc == domain.AccumulateCumulative:
		s.cumulative(rng, out)
	default:
		s.level(rng, out)
	}
	if len(s.cells) > 0 {
		w := cellWeights(s.cells)
		for k := range out {
			parts := apportion(rng, int(out[k].value), w, 0.35)
			out[k].cells = make([]float64, len(parts))
			for i, v := range parts {
				out[k].cells[i] = float64(v)
			}
		}
	}
	return out
}

// sum: each year's total lands near the year's target times the pace and is
// split over its quarters, so the quarters add up to the yearly figure.
func (s series) sum(rng *rand.Rand, out []point) {
	for y := 0; y*periodsPerYear < len(out); y++ {
		total := math.Max(0, math.Round(s.target(y)*s.pace*(1+0.06*rng.NormFloat64())))
		qs := apportion(rng, int(total), []float64{1, 1, 1, 1}, 0.3)
		for q := 0; q < periodsPerYear && y*periodsPerYear+q < len(out); q++ {
			out[y*periodsPerYear+q].value = float64(qs[q])
		}
	}
}

// cumulative: the running total follows the running target times the pace,
// give or take a little of a quarter's progress; each quarter reports what
// it added.
func (s series) cumulative(rng *rand.Rand, out []point) {
	prev := 0.0
	for k := range out {
		want := s.pace * s.path(k, 0)
		step := want
		if k > 0 {
			step -= s.pace * s.path(k-1, 0)
		}
		c := math.Round(want + step*0.15*rng.NormFloat64())
		if c < prev {
			c = prev
		}
		out[k].value = c - prev
		prev = c
	}
}

// level: a rate or count moves from the baseline toward the target path at
// the pace, with some noise; a "maintain" indicator hovers around its target.
func (s series) level(rng *rand.Rand, out []point) {
	last := s.target(len(s.targets) - 1)
	start := s.target(0)
	if s.base != nil {
		start = *s.base
	} else if len(s.targets) > 1 {
		start -= (last - start) / float64(len(s.targets)-1)
	}
	span := math.Abs(last - start)
	if span == 0 {
		span = 0.05*math.Abs(start) + 1
	}
	for k := range out {
		want := s.path(k, start)
		v := start + s.pace*(want-start) + 0.04*span*rng.NormFloat64()
		if s.dir == domain.Maintain {
			v = want + 0.02*math.Abs(want)*rng.NormFloat64()
		}
		if s.unit == domain.UnitPercentage {
			v = math.Min(100, math.Max(0, math.Round(v*10)/10))
		} else {
			v = math.Max(0, math.Round(v))
		}
		out[k].value = v
	}
}

// yesNo is 1 from the quarter it is achieved (always 1 for a maintained "yes").
func (s series) yesNo(out []point) {
	for k := range out {
		switch {
		case s.dir == domain.Maintain && s.base != nil && *s.base == 1:
			out[k].value = 1
		case s.done > 0 && k >= s.done:
			out[k].value = 1
		}
	}
}

// milestone walks through the steps evenly until the quarter it is achieved
// (value 1, last step); one never achieved stops at the step before last.
func (s series) milestone(out []point) {
	n := len(s.steps)
	horizon := s.done
	if horizon <= 0 {
		horizon = periodsPerYear*s.dueY + periodsPerYear
	}
	for k := range out {
		if s.done > 0 && k >= s.done {
			out[k] = point{value: 1, text: s.steps[n-1]}
			continue
		}
		st := min(n-2, (k+1)*(n-1)/(horizon+1))
		out[k] = point{value: 0, text: s.steps[max(st, 0)]}
	}
}

// apportion splits total into integer parts proportional to the weights,
// each jittered by up to ±jitter, that add up exactly to total (largest
// remainder). It draws len(w) numbers from rng whatever the total.
func apportion(rng *rand.Rand, total int, w []float64, jitter float64) []int {
	ws := make([]float64, len(w))
	sum := 0.0
	for i := range w {
		ws[i] = w[i] * (1 - jitter + 2*jitter*rng.Float64())
		sum += ws[i]
	}
	out := make([]int, len(w))
	if total <= 0 || sum <= 0 {
		return out
	}
	rem := make([]float64, len(w))
	given := 0
	for i := range ws {
		exact := float64(total) * ws[i] / sum
		out[i] = int(exact)
		rem[i] = exact - float64(out[i])
		given += out[i]
	}
	for ; given < total; given++ {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// activityPlan is how an activity unfolds: the quarters it runs (from..to,
// 0-based), its pace, the quarter it is cancelled in (0 = never) and its budget.
type activityPlan struct {
	from, to, cancel int
	pace, budget     float64
	did              []string // achievements, cycled
	cancelNote       string
}

// actPoint is the update of an activity for quarter k.
type actPoint struct {
	k                int
	progress         string
	percent          int
	expenditure      float64
	ach, chal, steps string
}

// content is what the update of p reports.
func (p actPoint) content() domain.UpdateContent {
	return domain.UpdateContent{Progress: p.progress, PercentComplete: p.percent, Achievements: p.ach, Challenges: p.chal,
		NextSteps: p.steps, Expenditure: p.expenditure}
}

// generate lists the activity's quarterly updates: from the quarter before it
// starts (not started) to the quarter it is completed or cancelled; with all
// set, for every one of the n quarters. A delayed activity (pace below 0.9)
// completes one quarter late.
func (a activityPlan) generate(rng *rand.Rand, n int, all bool) []actPoint {
	doneK := a.to
	if a.pace < 0.9 && a.to < n-1 {
		doneK = a.to + 1
	}
	first, last := max(0, a.from-1), min(doneK, n-1)
	if a.cancel > 0 {
		last = min(last, a.cancel)
	}
	if all {
		first, last = 0, n-1
	}
	spend := 0.82 + 0.15*rng.Float64()
	var out []actPoint
	prevPct, prevExp := 0, 0.0
	for k := first; k <= last; k++ {
		p := actPoint{k: k, chal: pick(rng, challenges), steps: pick(rng, nextSteps)}
		slip := rng.Float64()
		switch {
		case k < a.from:
			p.progress, p.ach, p.chal = domain.ProgressNotStarted, notStartedNote, ""
		case a.cancel > 0 && k >= a.cancel:
			p.progress, p.percent, p.ach, p.chal = domain.ProgressCancelled, prevPct, a.cancelNote, ""
			p.steps = "Close the activity and return unspent funds."
		case k >= doneK:
			p.progress, p.percent, p.ach, p.chal, p.steps = domain.ProgressCompleted, 100, completedNote, "", completedNext
		default:
			pct := int(math.Round(100*a.pace*float64(k-a.from+1)/float64(a.to-a.from+1)/5)) * 5
			p.percent = min(max(pct, prevPct), 95)
			p.progress = domain.ProgressOnTrack
			if (a.pace < 0.9 && slip < 0.75) || slip < 0.08 {
				p.progress = domain.ProgressDelayed
			} else if slip < 0.5 {
				p.chal = noChallenges
			}
			p.ach = a.did[(k-a.from)%len(a.did)] + "."
		}
		f := spend
		if p.progress == domain.ProgressCompleted {
			f = 0.93 + 0.07*rng.Float64()
		}
		p.expenditure = math.Min(a.budget, math.Max(prevExp, math.Round(a.budget*float64(p.percent)/100*f/100)*100))
		prevPct, prevExp = p.percent, p.expenditure
		out = append(out, p)
	}
	return out
}

// Texts of activity updates that do not depend on the activity.
const (
	notStartedNote = "Preparations started: terms of reference and workplan being drafted."
	completedNote  = "Activity completed; final report submitted to the NSC-TIP secretariat."
	completedNext  = "Hand over the results to the provincial committees."
	noChallenges   = "No major challenges this quarter."
)

// challenges are typical difficulties reported by ministries.
var challenges = []string{
	"Late transfer of the government budget delayed the work.",
	"High turnover of staff in the responsible departments.",
	"Coordination with provincial authorities took longer than planned.",
	"Meetings were postponed because key officials were unavailable.",
	"Data from two provinces arrived after the reporting deadline.",
	"Higher fuel prices raised the cost of travel to the provinces.",
	"Competing priorities of the same focal points in the ministry.",
}

// nextSteps are typical plans for the coming quarter.
var nextSteps = []string{
	"Continue implementation as planned next quarter.",
	"Present the results at the next NSC-TIP meeting.",
	"Extend the work to two more high-risk provinces.",
	"Follow up with provincial focal points on outstanding data.",
	"Prepare next year's workplan and budget request.",
	"Agree the schedule of joint field visits with supporting ministries.",
}

// contributionNotes are typical notes of supporting organisations.
var contributionNotes = []string{
	"Provided two trainers for the provincial sessions.",
	"Shared case data from our provincial offices.",
	"Mobilised village volunteers for the outreach events.",
	"Hosted the coordination meeting and provided the venue.",
	"Reviewed the draft and sent written comments.",
	"Seconded a staff member to the joint working group for the quarter.",
}

// valueNarratives are typical narratives attached to reported values.
var valueNarratives = []string{
	"Figures compiled from provincial reports.",
	"Consistent with the previous quarter.",
	"Figures for two provinces are provisional pending their final reports.",
	"Change reflects the teams deployed in the high-risk provinces.",
	"",
	"",
}
