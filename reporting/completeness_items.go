package reporting

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// CompletenessItem is one expected item — an indicator value or an activity
// update an organisation owes for a period — with what was reported.
type CompletenessItem struct {
	Kind     string // ItemValue or ItemUpdate
	ItemID   int64  // the indicator or the activity
	Code     string
	Name     string
	NameI18n domain.Texts // translations of the indicator's name or the activity's title
	OrgID    int64
	PeriodID int64
	// RowID is the value or update reported (nil when nothing was).
	RowID         *int64
	Status        string // "" when nothing was reported
	SubmittedAt   *time.Time
	ReturnedAt    *time.Time
	ReturnComment string
	// State is the item's timeliness (ItemOnTime, ItemLate, ItemMissing, ItemNotDue).
	State string
}

// Handed reports whether the item was handed in and not returned: it needs
// nothing more from its organisation for now.
func (i CompletenessItem) Handed() bool {
	return i.Status == domain.StatusSubmitted || i.Status == domain.StatusApproved
}

// ItemFilter narrows CompletenessItems.
type ItemFilter struct {
	// OrgID keeps one organisation's items (0: every organisation's).
	OrgID int64
	// Outstanding keeps only the items still owed: nothing reported, a
	// draft, or returned for correction.
	Outstanding bool
}

// CompletenessItems lists the items expected in the given periods of a
// plan, item by item, by the same rule and with the same states as
// Completeness (so their counts agree), ordered by organisation, period,
// kind and code. It runs two queries whatever the size of the plan.
func CompletenessItems(ctx context.Context, db *gorm.DB, plan domain.Plan, periods []domain.ReportingPeriod, f ItemFilter, now time.Time) ([]CompletenessItem, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	db = db.WithContext(ctx)
	byID := map[int64]domain.ReportingPeriod{}
	order := map[int64]int{}
	for i, p := range periods {
		byID[p.ID], order[p.ID] = p, i
	}
	type row struct {
		ItemID, OrgID, PeriodID int64
		Code, Name              string
		NameI18n                domain.Texts
		RowID                   *int64
		Status                  *string
		SubmittedAt, ReturnedAt *time.Time
		ReturnComment           *string
	}
	var out []CompletenessItem
	for _, src := range expectedSources(plan.ID, periods, f.OrgID) {
		item, name := "i", "i.name AS name, i.name_i18n AS name_i18n"
		if src.kind == ItemUpdate {
			item, name = "a", "a.title AS name, a.title_i18n AS name_i18n"
		}
		a := src.alias
		sql := "SELECT " + item + ".id AS item_id, " + src.org + " AS org_id, p.id AS period_id, " + item + ".code AS code, " + name + ", " +
			a + ".id AS row_id, " + a + ".status AS status, " + a + ".submitted_at AS submitted_at, " + a + ".returned_at AS returned_at, " +
			a + ".return_comment AS return_comment " + src.from
		if f.Outstanding {
			sql += " AND (" + a + ".id IS NULL OR " + a + ".status IN ('draft','returned'))"
		}
		var rows []row
		if err := db.Raw(sql, src.args...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			it := CompletenessItem{Kind: src.kind, ItemID: r.ItemID, Code: r.Code, Name: r.Name, NameI18n: r.NameI18n, OrgID: r.OrgID, PeriodID: r.PeriodID,
				RowID: r.RowID, SubmittedAt: r.SubmittedAt, ReturnedAt: r.ReturnedAt}
			if r.Status != nil {
				it.Status = *r.Status
			}
			if r.ReturnComment != nil && it.Status == domain.StatusReturned {
				it.ReturnComment = *r.ReturnComment
			}
			it.State = itemState(it.Status, it.SubmittedAt, byID[r.PeriodID], now)
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.OrgID != b.OrgID {
			return a.OrgID < b.OrgID
		}
		if a.PeriodID != b.PeriodID {
			return order[a.PeriodID] < order[b.PeriodID]
		}
		if a.Kind != b.Kind {
			return a.Kind == ItemValue
		}
		return CodeLess(a.Code, b.Code)
	})
	return out, nil
}

// CodeLess orders dotted codes as people read them: 1.2 before 1.10.
func CodeLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for k := 0; k < len(as) && k < len(bs); k++ {
		if as[k] == bs[k] {
			continue
		}
		x, errx := strconv.Atoi(as[k])
		y, erry := strconv.Atoi(bs[k])
		if errx == nil && erry == nil {
			return x < y
		}
		return as[k] < bs[k]
	}
	return len(as) < len(bs)
}

// FocalPoints returns the focal points of the given organisations who can
// be reached (accounts not disabled), by organisation, ordered by name, in
// one query.
func FocalPoints(ctx context.Context, db *gorm.DB, orgIDs []int64) (map[int64][]domain.User, error) {
	out := map[int64][]domain.User{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	var users []domain.User
	err := db.WithContext(ctx).Where("role = ? AND organisation_id IN ? AND disabled_at IS NULL", domain.RoleFocalPoint, orgIDs).
		Order("lower(name), id").Find(&users).Error
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		out[*u.OrganisationID] = append(out[*u.OrganisationID], u)
	}
	return out, nil
}
