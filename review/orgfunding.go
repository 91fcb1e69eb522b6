package review

import (
	"naptracker/domain"

	"gorm.io/gorm"
)

// OrgFunded is an activity a funder puts money towards, with what its
// funding lines in one currency add up to and the latest update the reader
// may see. An activity the funder funds in two currencies has two rows.
type OrgFunded struct {
	domain.Activity
	PillarCode string
	// Funding is this funder's lines of the activity in one currency:
	// pledged includes committed and disbursed lines, committed includes
	// disbursed ones (as the workbook's Funding sheet).
	Funding FundingTotal
	// Latest is the most recent visible update (nil when none) and
	// LatestPeriod the label of its period.
	Latest       *domain.ActivityUpdate
	LatestPeriod string
}

// FundedCount is the number of activities the organisation funds.
func (pg *OrgPage) FundedCount() int {
	seen := map[int64]bool{}
	for _, f := range pg.Funds {
		seen[f.ID] = true
	}
	return len(seen)
}

// loadFunding reads the activities of the plan the organisation funds, with
// its funding lines, in plan order, and the latest update of each the
// reader may see: donors and facilitators approved ones only, like the
// activities it leads and supports (two queries).
func (pg *OrgPage) loadFunding(db *gorm.DB, scope domain.Scope) error {
	var lines []struct {
		domain.Activity
		PillarCode   string
		LineCurrency string
		LineAmount   float64
		LineStatus   string
	}
	err := db.Table("funding_lines").
		Select("activities.*, pillars.code AS pillar_code, funding_lines.currency AS line_currency, funding_lines.amount AS line_amount, funding_lines.status AS line_status").
		Joins("JOIN activities ON activities.id = funding_lines.activity_id").
		Joins("JOIN objectives ON objectives.id = activities.objective_id").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Where("funding_lines.funder_id = ? AND activities.plan_id = ?", pg.Org.ID, pg.Plan.ID).
		Where("activities.archived_at IS NULL AND objectives.archived_at IS NULL AND pillars.archived_at IS NULL").
		Order("pillars.position, pillars.code, objectives.position, objectives.code, activities.position, activities.code, funding_lines.currency, funding_lines.id").
		Scan(&lines).Error
	if err != nil {
		return err
	}
	lead := map[int64]int64{}
	for _, l := range lines {
		lead[l.ID] = l.LeadOrgID
	}
	last, err := latestVisibleUpdates(db, scope, db.Model(&domain.Activity{}).Select("activities.id").
		Where("activities.plan_id = ? AND activities.id IN (?)", pg.Plan.ID,
			db.Model(&domain.FundingLine{}).Select("activity_id").Where("funder_id = ?", pg.Org.ID)), lead)
	if err != nil {
		return err
	}
	totals := fundingTotals{}
	for _, l := range lines {
		totals.add(l.LineCurrency, l.LineAmount, l.LineStatus)
		if n := len(pg.Funds); n > 0 && pg.Funds[n-1].ID == l.ID && pg.Funds[n-1].Funding.Currency == l.LineCurrency {
			pg.Funds[n-1].Funding.add(l.LineAmount, l.LineStatus)
			continue
		}
		f := OrgFunded{Activity: l.Activity, PillarCode: l.PillarCode, Funding: FundingTotal{Currency: l.LineCurrency}}
		f.Funding.add(l.LineAmount, l.LineStatus)
		if u, ok := last[l.ID]; ok {
			x := u.update
			f.Latest, f.LatestPeriod = &x, u.period
		}
		pg.Funds = append(pg.Funds, f)
	}
	pg.FundTotals = totals.list()
	return nil
}
