package planxlsx

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/planning"

	"gorm.io/gorm"
)

// Load reads a plan from the database in the workbook's shape, every
// sheet sorted by its key (codes in dotted order), so that the same
// database always gives the same cells. Every organisation and every
// breakdown set is included, so that the workbook alone can rebuild the
// plan in an empty database. A plan that does not exist is ErrNotFound.
func Load(ctx context.Context, db *gorm.DB, code string) (*Book, error) {
	p, err := planning.FindPlan(ctx, db, code)
	if err != nil {
		return nil, err
	}
	return load(db.WithContext(ctx), p)
}

// load reads the plan p (nil: only the organisations and breakdowns).
func load(db *gorm.DB, p *domain.Plan) (*Book, error) {
	b := newBook()
	var orgs []domain.Organisation
	if err := db.Order("acronym").Find(&orgs).Error; err != nil {
		return nil, err
	}
	acr := map[int64]string{}
	for _, o := range orgs {
		acr[o.ID] = o.Acronym
		b.Tables[SheetOrganisations].Rows = append(b.Tables[SheetOrganisations].Rows, Row{o.Acronym, o.Name, o.Type})
	}
	sets, err := loadSets(db, b)
	if err != nil {
		return nil, err
	}
	if p == nil {
		b.sort()
		return b, nil
	}
	b.Tables[SheetPlan].Rows = []Row{planRow(p)}
	var pillars []domain.Pillar
	var objectives []domain.Objective
	var activities []domain.Activity
	var indicators []domain.Indicator
	for _, q := range []any{&pillars, &objectives, &activities, &indicators} {
		if err := db.Where("plan_id = ?", p.ID).Find(q).Error; err != nil {
			return nil, err
		}
	}
	for _, x := range pillars {
		b.Tables[SheetPillars].Rows = append(b.Tables[SheetPillars].Rows, append(nodeRow(x.Code, x.Position, x.Title, x.TitleI18n, x.Description), yesNo(x.ArchivedAt != nil)))
	}
	for _, x := range objectives {
		b.Tables[SheetObjectives].Rows = append(b.Tables[SheetObjectives].Rows, append(nodeRow(x.Code, x.Position, x.Title, x.TitleI18n, x.Description), yesNo(x.ArchivedAt != nil)))
	}
	actIDs := make([]int64, 0, len(activities))
	actCode := map[int64]string{}
	for _, a := range activities {
		actIDs = append(actIDs, a.ID)
		actCode[a.ID] = a.Code
	}
	var sups []domain.ActivitySupporter
	if err := db.Where("activity_id IN ?", append(actIDs, 0)).Find(&sups).Error; err != nil {
		return nil, err
	}
	supporting := map[int64][]string{}
	for _, s := range sups {
		supporting[s.ActivityID] = append(supporting[s.ActivityID], acr[s.OrganisationID])
	}
	for _, a := range activities {
		r := nodeRow(a.Code, a.Position, a.Title, a.TitleI18n, a.Description)
		r = append(r, a.StartDate.Format(time.DateOnly), a.EndDate.Format(time.DateOnly), acr[a.LeadOrgID],
			joinList(supporting[a.ID]), formatNumber(a.Budget), a.Currency, yesNo(a.ArchivedAt != nil))
		b.Tables[SheetActivities].Rows = append(b.Tables[SheetActivities].Rows, r)
	}
	objCode := map[int64]string{}
	for _, o := range objectives {
		objCode[o.ID] = o.Code
	}
	indIDs := make([]int64, 0, len(indicators))
	indCode := map[int64]string{}
	for _, i := range indicators {
		indIDs = append(indIDs, i.ID)
		indCode[i.ID] = i.Code
		parent := ""
		if i.ActivityID != nil {
			parent = actCode[*i.ActivityID]
		} else if i.ObjectiveID != nil {
			parent = objCode[*i.ObjectiveID]
		}
		r := Row{i.Code, parent, strconv.Itoa(i.Position), i.Name}
		r = append(r, translations(i.NameI18n)...)
		set := ""
		if i.DisaggregationSetID != nil {
			set = sets[*i.DisaggregationSetID]
		}
		r = append(r, i.Definition, i.UnitType, i.UnitLabel, i.Direction, i.Accumulation, optNumber(i.BaselineValue),
			optInt(i.BaselineYear), optNumber(i.EndTarget), i.MeansOfVerification, acr[i.ReportingOrgID], set, yesNo(i.Sensitive),
			yesNo(i.ArchivedAt != nil))
		b.Tables[SheetIndicators].Rows = append(b.Tables[SheetIndicators].Rows, r)
	}
	var targets []domain.IndicatorTarget
	if err := db.Where("indicator_id IN ?", append(indIDs, 0)).Find(&targets).Error; err != nil {
		return nil, err
	}
	for _, t := range targets {
		b.Tables[SheetTargets].Rows = append(b.Tables[SheetTargets].Rows, Row{indCode[t.IndicatorID], strconv.Itoa(t.Year), formatNumber(t.Value)})
	}
	var funding []domain.FundingLine
	if err := db.Where("activity_id IN ?", append(actIDs, 0)).Order("id").Find(&funding).Error; err != nil {
		return nil, err
	}
	b.Tables[SheetFunding].Rows = fundingRows(funding, actCode, acr)
	b.sort()
	return b, nil
}

func planRow(p *domain.Plan) Row {
	return Row{p.Code, p.Title, p.Description, p.Country, strconv.Itoa(p.StartYear), strconv.Itoa(p.EndYear), p.Frequency,
		p.Tier1Label, p.Tier2Label, p.Tier3Label, formatNumber(p.GreenThreshold), formatNumber(p.RedThreshold), p.Language, p.Currency}
}

func nodeRow(code string, position int, title string, titles domain.Texts, description string) Row {
	r := Row{code, strconv.Itoa(position), title}
	r = append(r, translations(titles)...)
	return append(r, description)
}

func translations(t domain.Texts) []string {
	out := make([]string, len(TranslationLanguages))
	for i, l := range TranslationLanguages {
		out[i] = t[l]
	}
	return out
}

// fundingRows numbers each activity's lines of one funder 1, 2, … in the
// order they were added: the line number is what an upsert matches.
func fundingRows(lines []domain.FundingLine, actCode, acr map[int64]string) []Row {
	n := map[[2]int64]int{}
	out := make([]Row, 0, len(lines))
	for _, f := range lines {
		k := [2]int64{f.ActivityID, f.FunderID}
		n[k]++
		out = append(out, Row{actCode[f.ActivityID], acr[f.FunderID], strconv.Itoa(n[k]), formatNumber(f.Amount), f.Currency, f.Status, f.Note})
	}
	return out
}

// loadSets adds every breakdown set, dimension and category (in their
// order) and returns the set codes by id.
func loadSets(db *gorm.DB, b *Book) (map[int64]string, error) {
	var sets []domain.DisaggregationSet
	err := db.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Order("code").Find(&sets).Error
	if err != nil {
		return nil, err
	}
	codes := map[int64]string{}
	t := b.Tables[SheetBreakdowns]
	for _, s := range sets {
		codes[s.ID] = s.Code
		for _, d := range s.Dimensions {
			for _, c := range d.Categories {
				t.Rows = append(t.Rows, Row{s.Code, s.Name, d.Code, d.Name, c.Code, c.Label})
			}
		}
	}
	return codes, nil
}

func optNumber(x *float64) string {
	if x == nil {
		return ""
	}
	return formatNumber(*x)
}

func optInt(x *int) string {
	if x == nil {
		return ""
	}
	return strconv.Itoa(*x)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// joinList is the canonical text of a list of acronyms: sorted, ", " between.
func joinList(xs []string) string {
	xs = slices.Clone(xs)
	slices.SortFunc(xs, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return strings.Join(xs, ", ")
}

// sort orders every table by its key: codes in dotted order, the
// breakdowns in their own order (set by code, then as stored).
func (b *Book) sort() {
	for _, name := range []string{SheetPillars, SheetObjectives, SheetActivities, SheetIndicators} {
		slices.SortStableFunc(b.Tables[name].Rows, func(x, y Row) int { return codeLess(x[0], y[0]) })
	}
	slices.SortStableFunc(b.Tables[SheetOrganisations].Rows, func(x, y Row) int {
		if c := strings.Compare(strings.ToLower(x[0]), strings.ToLower(y[0])); c != 0 {
			return c
		}
		return strings.Compare(x[0], y[0])
	})
	slices.SortStableFunc(b.Tables[SheetBreakdowns].Rows, func(x, y Row) int { return strings.Compare(x[0], y[0]) })
	slices.SortStableFunc(b.Tables[SheetTargets].Rows, func(x, y Row) int {
		if c := codeLess(x[0], y[0]); c != 0 {
			return c
		}
		return atoi(x[1]) - atoi(y[1])
	})
	slices.SortStableFunc(b.Tables[SheetFunding].Rows, func(x, y Row) int {
		if c := codeLess(x[0], y[0]); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(x[1]), strings.ToLower(y[1])); c != 0 {
			return c
		}
		return atoi(x[2]) - atoi(y[2])
	})
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
