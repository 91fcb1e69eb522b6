package figures

// Disclosure control. Counts of trafficking victims identify people in small
// communities, so an indicator flagged sensitive is protected from an
// external audience (donors, facilitators, other organisations, slides,
// anything published) by these rules, which together guarantee that no
// combination of published numbers narrows a protected count below what was
// published for it (a "<5" stays any of 1–4):
//
//   - R1 primary suppression: a reported value of 1–4 is published as "<5".
//   - R2 breakdowns: when any cell of a value's breakdown is 1–4, every cell
//     of that breakdown is withheld (zeros too) and only the total is
//     published; a withheld cell carries no "<5" mark, since marking which
//     cells are small would let the others be bounded.
//   - R3 aggregates: a figure made of several reported values (a range
//     total, a running total, a breakdown cell over a range) is published
//     only when every value it is made of is published; otherwise it is
//     withheld, never "<5". A published aggregate is then a function of
//     published numbers and reveals nothing more.
//   - R4 derived figures: progress, % of target and the rating word of a
//     hidden figure are withheld (the word "withheld"), since a word next to
//     a visible target bounds the actual.
//
// The internal audience (administrators, the secretariat, and an
// organisation for its own figures) sees every number.

// Audience says who a figure is for.
type Audience uint8

const (
	// External: donors, facilitators, other organisations, and every
	// output meant to be shown or shared (slides, the dashboard).
	External Audience = iota
	// Internal: administrators, the secretariat, and an organisation for
	// the figures it reports itself.
	Internal
)

// String names the audience as the API and the workbook do.
func (a Audience) String() string {
	if a == Internal {
		return "internal"
	}
	return "external"
}

// Figure is a number as an audience may see it. When the number is hidden
// Value is nil, so that no output can print it by mistake.
type Figure struct {
	// Value is the number; nil when nothing is reported or it is hidden.
	Value *float64
	// Small: hidden and published as "<5" (the value is 1 to 4).
	Small bool
	// Withheld: hidden and published as "withheld" (it would reveal a
	// small count).
	Withheld bool
	// Unapproved: the figure rests on data not approved yet.
	Unapproved bool
}

// Hidden reports whether the number is hidden from the audience.
func (f Figure) Hidden() bool { return f.Small || f.Withheld }

// Reported reports whether there is a number at all (shown or hidden).
func (f Figure) Reported() bool { return f.Value != nil || f.Hidden() }

// IsSmall reports whether a count is one an external audience must not
// see exactly (1 to 4).
func IsSmall(x float64) bool { return x > 0 && x < 5 }

// protects reports whether figures of an indicator are protected for an audience.
func protects(sensitive bool, aud Audience) bool { return sensitive && aud == External }

// smallColumn reports whether a breakdown has a small cell (rule R2).
func smallColumn(cells []float64) bool {
	for _, c := range cells {
		if IsSmall(c) {
			return true
		}
	}
	return false
}

// Disclose gives one reported value and its breakdown cells (any order; nil
// when none) as the audience may see them: rules R1 and R2. The API's
// period values and any single value shown on its own (a history entry, an
// audit diff) go through it; Assess applies the same rules period by period.
func Disclose(sensitive bool, aud Audience, value *float64, cells []float64, unapproved bool) (Figure, []Figure) {
	protect := protects(sensitive, aud)
	total := Figure{Value: value, Unapproved: unapproved}
	if value != nil && protect && IsSmall(*value) {
		total = Figure{Small: true, Unapproved: unapproved}
	}
	if cells == nil {
		return total, nil
	}
	hide := protect && smallColumn(cells)
	out := make([]Figure, len(cells))
	for i := range cells {
		if hide {
			out[i] = Figure{Withheld: true, Unapproved: unapproved}
		} else {
			out[i] = Figure{Value: &cells[i], Unapproved: unapproved}
		}
	}
	return total, out
}
