package report

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// IATIContentType is the media type of the IATI export.
const IATIContentType = "application/xml; charset=utf-8"

// IATIOptions choose what the IATI export covers.
type IATIOptions struct {
	Plan string
	// From and To are period labels (see models.ResolveRange).
	From, To string
	// Funder keeps the activities a partner (acronym) funds; it is then the
	// reporting organisation, reporting the results it funds.
	Funder string
	// Publisher is the reporting organisation's identifier in the IATI
	// Registry ({RegistrationAgency}-{RegistrationNumber}, e.g.
	// XM-DAC-41114); without it a local identifier is written, which must
	// be replaced before publishing to the Registry.
	Publisher string
	// Country is the ISO 3166-1 alpha-2 code of the recipient country.
	Country string
	Now     time.Time
}

// IATI writes the results of a plan's activities as an IATI 2.03 activity
// file: one iati-activity per activity (the funder's, when one is named),
// its organisations and dates, and a result per output indicator with its
// baseline and, per reporting period of the range, the target and the
// actual — with its breakdown as dimensions. Every number comes from
// figures.Assess for the external audience over approved data, the very
// figures of a donor's workbook: a small count of victims has no value
// but a comment saying it is protected.
func IATI(ctx context.Context, db *gorm.DB, o IATIOptions, w io.Writer) error {
	v := &domain.ValidationError{}
	if o.Country != "" && !isoCountry.MatchString(o.Country) {
		v.AddKey("country", "err.iati_country")
	}
	if o.Publisher != "" && !orgRef.MatchString(o.Publisher) {
		v.AddKey("publisher", "err.iati_publisher")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	tree, err := planning.LoadPlanTree(ctx, db, o.Plan)
	if err != nil {
		return err
	}
	var funder *domain.Organisation
	if o.Funder != "" {
		for _, org := range tree.Organisations {
			if strings.EqualFold(org.Acronym, o.Funder) {
				funder = org
			}
		}
		if funder == nil {
			v.AddKey("funder", "err.no_org_acronym", o.Funder)
			return v
		}
	}
	pf, err := reporting.LoadPlanFigures(ctx, db, domain.PublicScope, o.Plan, o.From, o.To, false, o.Now)
	if err != nil {
		return err
	}
	byID := make(map[int64]reporting.IndicatorFigures, len(pf.Indicators))
	for _, f := range pf.Indicators {
		byID[f.Indicator.ID] = f
	}
	status, err := latestApprovedStatus(db.WithContext(ctx), tree.Plan.ID)
	if err != nil {
		return err
	}
	plan := tree.Plan
	lang := plan.Language
	if lang == "" {
		lang = "en"
	}
	ref := o.Publisher
	reporter := iatiOrg{Type: "10", Narrative: []narrative{{Text: plan.Title}}}
	if funder != nil {
		reporter = iatiOrg{Type: orgType(funder.Type), Narrative: []narrative{{Text: funder.Name}}}
		if ref == "" {
			ref = localRef(funder.Acronym)
		}
	} else if ref == "" {
		ref = localRef(plan.Code)
	}
	reporter.Ref = ref
	doc := iatiActivities{Version: "2.03", Generated: o.Now.Format(time.RFC3339)}
	for _, p := range tree.Pillars {
		for _, ob := range p.Objectives {
			for _, a := range ob.Activities {
				if funder != nil && !fundedBy(a, funder.ID) {
					continue
				}
				doc.Activities = append(doc.Activities, iatiActivityOf(tree, a, byID, pf, reporter, ref, lang, status[a.ID], o))
			}
		}
	}
	if len(doc.Activities) == 0 {
		v.AddKey("funder", "err.iati_nothing")
		return v
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

var (
	isoCountry = regexp.MustCompile(`^[A-Z]{2}$`)
	orgRef     = regexp.MustCompile(`^[A-Za-z0-9]{2,}-[A-Za-z0-9_.:/-]+$`)
	refUnsafe  = regexp.MustCompile(`[^A-Za-z0-9_.-]`)
)

// localRef is an organisation identifier for files not (yet) published to
// the IATI Registry: the "XI-NAPTRACKER" prefix is not a registration
// agency, and says so to anyone who reads it.
func localRef(s string) string { return "XI-NAPTRACKER-" + refUnsafe.ReplaceAllString(s, "_") }

func fundedBy(a *planning.ActivityNode, funderID int64) bool {
	for _, f := range a.Funding {
		if f.FunderID == funderID {
			return true
		}
	}
	return false
}

// latestApprovedStatus reads each activity's latest approved status (the
// dashboard's roll-up), in one query.
func latestApprovedStatus(db *gorm.DB, planID int64) (map[int64]string, error) {
	var rows []reporting.ActivityRollup
	if err := db.Where("plan_id = ?", planID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ActivityID] = r.Progress
	}
	return out, nil
}

// orgType is the IATI OrganisationType code of an organisation type.
func orgType(t string) string {
	switch t {
	case domain.OrgMinistry, domain.OrgPartner:
		return "10" // Government (a development partner is a government agency)
	case domain.OrgAgency:
		return "15" // Other Public Sector
	case domain.OrgInternational:
		return "40" // Multilateral
	}
	return "22" // National NGO (civil society)
}

// activityStatusCode is the IATI ActivityStatus code of an activity's
// latest approved status (none: implementing once started, else pipeline).
func activityStatusCode(status string, a *planning.ActivityNode, now time.Time) string {
	switch status {
	case domain.ProgressNotStarted:
		return "1"
	case domain.ProgressCompleted:
		return "3"
	case domain.ProgressCancelled:
		return "5"
	case "":
		if now.Before(a.StartDate) {
			return "1"
		}
	}
	return "2"
}

func iatiActivityOf(tree *planning.PlanTree, a *planning.ActivityNode, byID map[int64]reporting.IndicatorFigures, pf *reporting.PlanFigures,
	reporter iatiOrg, ref, lang, status string, o IATIOptions) iatiActivity {
	plan := tree.Plan
	act := iatiActivity{
		Updated: o.Now.Format(time.RFC3339), Lang: lang, Currency: a.Currency, Hierarchy: "1",
		Identifier: ref + "-" + refUnsafe.ReplaceAllString(plan.Code+"-"+a.Code, "_"),
		Reporting:  reporter,
		Title:      text{Narrative: []narrative{{Text: a.Code + " " + a.Title}}},
		Status:     code{Code: activityStatusCode(status, a, o.Now)},
		Dates: []iatiDate{
			{Type: "1", Date: a.StartDate.Format("2006-01-02")},
			{Type: "3", Date: a.EndDate.Format("2006-01-02")},
		},
	}
	desc := a.Description
	if strings.TrimSpace(desc) == "" {
		desc = plan.Title + " — " + a.Code
	}
	act.Description = []iatiDescription{{Type: "1", Narrative: []narrative{{Text: desc}}}}
	seen := map[[2]string]bool{}
	addOrg := func(org *domain.Organisation, role string) {
		k := [2]string{strconv.FormatInt(org.ID, 10), role}
		if seen[k] {
			return
		}
		seen[k] = true
		act.Participating = append(act.Participating, iatiOrg{Role: role, Type: orgType(org.Type), Narrative: []narrative{{Text: org.Name + " (" + org.Acronym + ")"}}})
	}
	for _, f := range a.Funding {
		addOrg(tree.Org(f.FunderID), "1") // Funding
	}
	addOrg(tree.Org(a.LeadOrgID), "2") // Accountable
	addOrg(tree.Org(a.LeadOrgID), "4") // Implementing
	for _, id := range a.SupporterIDs {
		addOrg(tree.Org(id), "4")
	}
	if o.Country != "" {
		act.Countries = []iatiCountry{{Code: o.Country, Percentage: "100"}}
	}
	for _, ind := range a.Indicators {
		f, ok := byID[ind.ID]
		if !ok {
			continue
		}
		act.Results = append(act.Results, iatiResultOf(f, pf))
	}
	return act
}

// iatiResultOf writes an output indicator as a result with one indicator.
func iatiResultOf(f reporting.IndicatorFigures, pf *reporting.PlanFigures) iatiResult {
	ind := f.Indicator
	name := []narrative{{Text: ind.Code + " " + ind.Name}}
	ri := iatiIndicator{Measure: measureOf(ind.UnitType), Title: text{Narrative: name}}
	switch ind.Direction {
	case domain.Increase:
		ri.Ascending = "1"
	case domain.Decrease:
		ri.Ascending = "0"
	}
	if strings.TrimSpace(ind.Definition) != "" {
		ri.Description = &text{Narrative: []narrative{{Text: ind.Definition}}}
	}
	// A qualitative indicator (yes/no, milestone) carries no value: its
	// state is said in a comment.
	qualitative := ri.Measure == "5"
	if ind.BaselineYear != nil && *ind.BaselineYear > 0 {
		b := iatiBaseline{Year: strconv.Itoa(*ind.BaselineYear), Date: fmt.Sprintf("%04d-01-01", *ind.BaselineYear)}
		if ind.BaselineValue != nil {
			v := valueOf(*ind.BaselineValue, qualitative)
			b.Value, b.Comment = v.Value, v.Comment
		}
		ri.Baselines = append(ri.Baselines, b)
	}
	for i, c := range f.Assessment.Periods {
		p := pf.Periods[c.Period]
		per := iatiPeriod{Start: isoDate{Date: p.StartDate.Format("2006-01-02")}, End: isoDate{Date: p.EndDate.Format("2006-01-02")}}
		if c.Target != nil {
			per.Targets = append(per.Targets, valueOf(*c.Target, qualitative))
		}
		if c.Actual.Reported() {
			per.Actuals = append(per.Actuals, iatiActual(c.Actual, nil, qualitative))
			for j, cell := range f.Cells {
				if f.Assessment.Breakdown == nil {
					break
				}
				if bf := f.Assessment.Breakdown[j][1+i]; bf.Reported() {
					per.Actuals = append(per.Actuals, iatiActual(bf, dimensionsOf(cell), qualitative))
				}
			}
		}
		if len(per.Targets)+len(per.Actuals) > 0 {
			ri.Periods = append(ri.Periods, per)
		}
	}
	return iatiResult{Type: "1", Title: text{Narrative: name}, Indicators: []iatiIndicator{ri}}
}

// iatiActual is an actual as the external audience may see it: a hidden
// figure has no value, only a comment saying why.
func iatiActual(f figures.Figure, dims []iatiDimension, qualitative bool) iatiValue {
	var v iatiValue
	switch {
	case f.Small:
		v.Comment = &text{Narrative: []narrative{{Text: iatiSmall}}}
	case f.Withheld:
		v.Comment = &text{Narrative: []narrative{{Text: iatiWithheld}}}
	default:
		v = valueOf(*f.Value, qualitative)
	}
	v.Dimensions = dims
	return v
}

// The comments of hidden actuals.
const (
	iatiSmall    = "Fewer than 5 (1 to 4): not published exactly, to protect victims."
	iatiWithheld = "Withheld: it would reveal a count of fewer than 5 victims."
)

// valueOf is a target, actual or baseline: a value, or for a qualitative
// indicator (1 achieved, 0 not) a comment saying so.
func valueOf(x float64, qualitative bool) iatiValue {
	if !qualitative {
		return iatiValue{Value: num(x)}
	}
	word := "No (not achieved)"
	if x >= 1 {
		word = "Yes (achieved)"
	}
	return iatiValue{Comment: &text{Narrative: []narrative{{Text: word}}}}
}

// dimensionsOf turns a breakdown cell ("sex=female;age=child") into IATI dimensions.
func dimensionsOf(cell string) []iatiDimension {
	var out []iatiDimension
	for _, part := range strings.Split(cell, ";") {
		if name, value, ok := strings.Cut(part, "="); ok {
			out = append(out, iatiDimension{Name: name, Value: value})
		}
	}
	return out
}

// measureOf is the IATI IndicatorMeasure code of a unit type.
func measureOf(unit string) string {
	switch unit {
	case domain.UnitPercentage:
		return "2" // Percentage
	case domain.UnitYesNo, domain.UnitMilestone:
		return "5" // Qualitative
	}
	return "1" // Unit
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// The IATI 2.03 activity file, in the order of the standard's schema.
type iatiActivities struct {
	XMLName    xml.Name       `xml:"iati-activities"`
	Version    string         `xml:"version,attr"`
	Generated  string         `xml:"generated-datetime,attr"`
	Activities []iatiActivity `xml:"iati-activity"`
}

type iatiActivity struct {
	Updated       string            `xml:"last-updated-datetime,attr"`
	Lang          string            `xml:"xml:lang,attr"`
	Currency      string            `xml:"default-currency,attr,omitempty"`
	Hierarchy     string            `xml:"hierarchy,attr"`
	Identifier    string            `xml:"iati-identifier"`
	Reporting     iatiOrg           `xml:"reporting-org"`
	Title         text              `xml:"title"`
	Description   []iatiDescription `xml:"description"`
	Participating []iatiOrg         `xml:"participating-org"`
	Status        code              `xml:"activity-status"`
	Dates         []iatiDate        `xml:"activity-date"`
	Countries     []iatiCountry     `xml:"recipient-country"`
	Results       []iatiResult      `xml:"result"`
}

type iatiOrg struct {
	Ref       string      `xml:"ref,attr,omitempty"`
	Type      string      `xml:"type,attr,omitempty"`
	Role      string      `xml:"role,attr,omitempty"`
	Narrative []narrative `xml:"narrative"`
}

type narrative struct {
	Text string `xml:",chardata"`
}

type text struct {
	Narrative []narrative `xml:"narrative"`
}

type iatiDescription struct {
	Type      string      `xml:"type,attr"`
	Narrative []narrative `xml:"narrative"`
}

type code struct {
	Code string `xml:"code,attr"`
}

type iatiDate struct {
	Type string `xml:"type,attr"`
	Date string `xml:"iso-date,attr"`
}

type iatiCountry struct {
	Code       string `xml:"code,attr"`
	Percentage string `xml:"percentage,attr,omitempty"`
}

type iatiResult struct {
	Type       string          `xml:"type,attr"`
	Title      text            `xml:"title"`
	Indicators []iatiIndicator `xml:"indicator"`
}

type iatiIndicator struct {
	Measure     string         `xml:"measure,attr"`
	Ascending   string         `xml:"ascending,attr,omitempty"`
	Title       text           `xml:"title"`
	Description *text          `xml:"description,omitempty"`
	Baselines   []iatiBaseline `xml:"baseline"`
	Periods     []iatiPeriod   `xml:"period"`
}

type iatiBaseline struct {
	Date    string `xml:"iso-date,attr,omitempty"`
	Year    string `xml:"year,attr"`
	Value   string `xml:"value,attr,omitempty"`
	Comment *text  `xml:"comment,omitempty"`
}

type iatiPeriod struct {
	Start   isoDate     `xml:"period-start"`
	End     isoDate     `xml:"period-end"`
	Targets []iatiValue `xml:"target"`
	Actuals []iatiValue `xml:"actual"`
}

type isoDate struct {
	Date string `xml:"iso-date,attr"`
}

type iatiValue struct {
	Value      string          `xml:"value,attr,omitempty"`
	Dimensions []iatiDimension `xml:"dimension"`
	Comment    *text           `xml:"comment,omitempty"`
}

type iatiDimension struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}
