package report

import (
	"sort"
	"strings"

	"naptracker/domain"
	"naptracker/planning"
)

// fundingSums are the money figures of one funding row. A funding line's
// status is how far its money has moved, so a disbursed line also counts as
// committed and pledged: pledged ≥ committed ≥ disbursed.
type fundingSums struct {
	activities                                    int
	planned, pledged, committed, disbursed, spent float64
	unapproved                                    bool
}

func (s *fundingSums) addActivity(a *planning.ActivityNode, st activityState) {
	s.activities++
	s.planned += a.Budget
	s.spent += st.expenditure
	s.unapproved = s.unapproved || st.unapproved
}

func (s *fundingSums) addLine(l domain.FundingLine) {
	s.pledged += l.Amount
	if l.Status == domain.FundingCommitted || l.Status == domain.FundingDisbursed {
		s.committed += l.Amount
	}
	if l.Status == domain.FundingDisbursed {
		s.disbursed += l.Amount
	}
}

// writeFunding writes budget and funding per partner and pillar: for each
// partner, the activities it funds in the pillar, their planned budget,
// its pledged, committed and disbursed amounts, and what those activities
// report spent so far; then a row per pillar over every partner.
func (b *build) writeFunding() error {
	L, st := b.L, b.st
	keys := []string{"partner", "partner_name", "pillar", "currency", "activities", "planned", "pledged", "committed", "disbursed", "spent"}
	heads := make([]string, len(keys))
	for i, k := range keys {
		heads[i] = L.T("report.col." + k)
	}
	sheet, err := b.normalSheet("funding", L.T("report.funding.title", b.tree.Plan.Code), L.T("report.funding.intro", b.rangeLabel(), b.statusLabel()),
		heads, []float64{12, 40, 8, 9, 11, 14, 14, 14, 14, 14})
	if err != nil {
		return err
	}
	type key struct {
		funder   int64 // 0: every partner
		pillar   int
		currency string
	}
	sums := map[key]*fundingSums{}
	get := func(k key) *fundingSums {
		if sums[k] == nil {
			sums[k] = &fundingSums{}
		}
		return sums[k]
	}
	pillars := b.pillars()
	for pi, p := range pillars {
		for _, o := range p.Objectives {
			for _, a := range o.Activities {
				if !b.activityMatches(a) {
					continue
				}
				get(key{0, pi, a.Currency}).addActivity(a, b.acts[a.ID])
				seen := map[int64]bool{}
				for _, l := range a.Funding {
					if b.funder != nil && l.FunderID != b.funder.ID {
						continue
					}
					s := get(key{l.FunderID, pi, a.Currency})
					if !seen[l.FunderID] {
						s.addActivity(a, b.acts[a.ID])
						seen[l.FunderID] = true
					}
					s.addLine(l)
					get(key{0, pi, a.Currency}).addLine(l)
				}
			}
		}
	}
	ks := make([]key, 0, len(sums))
	for k := range sums {
		ks = append(ks, k)
	}
	acr := func(id int64) string {
		if id == 0 {
			return "~"
		}
		return strings.ToLower(b.tree.Org(id).Acronym)
	}
	sort.Slice(ks, func(i, j int) bool {
		a, c := ks[i], ks[j]
		if (a.funder == 0) != (c.funder == 0) {
			return c.funder == 0
		}
		if acr(a.funder) != acr(c.funder) {
			return acr(a.funder) < acr(c.funder)
		}
		if a.pillar != c.pillar {
			return a.pillar < c.pillar
		}
		return a.currency < c.currency
	})
	row := 4
	for _, k := range ks {
		s := sums[k]
		partner, name, style := L.T("report.all_partners"), "", st.bold
		if k.funder != 0 {
			o := b.tree.Org(k.funder)
			partner, name, style = o.Acronym, o.Name, st.text
		}
		cells := []any{str(style, partner), str(st.text, name), str(st.text, pillars[k.pillar].Code), str(st.text, k.currency),
			st.number(float64(s.activities), false), st.number(s.planned, false), st.number(s.pledged, false), st.number(s.committed, false),
			st.number(s.disbursed, false), st.number(s.spent, s.unapproved)}
		if err := b.setRow(sheet, row, cells); err != nil {
			return err
		}
		row++
	}
	return b.finishTable(sheet, len(keys), row-1, 0, nil)
}
