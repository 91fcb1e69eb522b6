package handlers

import (
	"net/http"
	"time"

	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/planning"

	"github.com/labstack/echo/v4"
)

// apiPlanTree is the answer of GET /api/v1/plans/{plan}: the plan and the
// whole tree under it. Yearly targets are not part of it yet.
type apiPlanTree struct {
	Code        string        `json:"code"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Country     string        `json:"country"`
	StartYear   int           `json:"start_year"`
	EndYear     int           `json:"end_year"`
	Frequency   string        `json:"frequency"`
	Language    string        `json:"language"`
	Currency    string        `json:"currency"`
	Demo        bool          `json:"demo"`
	TierLabels  apiTierLabels `json:"tier_labels"`
	// TierLabelsI18n are the tier labels' translations.
	TierLabelsI18n apiTierTexts `json:"tier_labels_i18n"`
	// DisaggregationSets are the breakdowns indicators may have, with
	// their categories' translations.
	DisaggregationSets []apiSet      `json:"disaggregation_sets"`
	Thresholds         apiThresholds `json:"thresholds"`
	Pillars            []apiPillar   `json:"pillars"`
}

// apiTierLabels are the plan's names for its three tiers.
type apiTierLabels struct {
	Pillar    string `json:"pillar"`
	Objective string `json:"objective"`
	Activity  string `json:"activity"`
}

// apiTierTexts are the translations of the plan's names for its tiers.
type apiTierTexts struct {
	Pillar    domain.Texts `json:"pillar"`
	Objective domain.Texts `json:"objective"`
	Activity  domain.Texts `json:"activity"`
}

// apiSet is a disaggregation set: its dimensions and their categories.
type apiSet struct {
	Code       string         `json:"code"`
	Name       string         `json:"name"`
	Dimensions []apiDimension `json:"dimensions"`
}

// apiDimension is one axis of a disaggregation set, such as sex.
type apiDimension struct {
	Code       string        `json:"code"`
	Name       string        `json:"name"`
	Categories []apiCategory `json:"categories"`
}

// apiCategory is a category of a dimension; a breakdown cell names one per
// dimension ("sex=female;age=child").
type apiCategory struct {
	Code      string       `json:"code"`
	Label     string       `json:"label"`
	LabelI18n domain.Texts `json:"label_i18n"`
}

// setsJSON converts the disaggregation sets to their API form.
func setsJSON(sets []domain.DisaggregationSet) []apiSet {
	out := make([]apiSet, 0, len(sets))
	for _, s := range sets {
		as := apiSet{Code: s.Code, Name: s.Name, Dimensions: make([]apiDimension, 0, len(s.Dimensions))}
		for _, d := range s.Dimensions {
			ad := apiDimension{Code: d.Code, Name: d.Name, Categories: make([]apiCategory, 0, len(d.Categories))}
			for _, c := range d.Categories {
				ad.Categories = append(ad.Categories, apiCategory{Code: c.Code, Label: c.Label, LabelI18n: texts(c.LabelI18n)})
			}
			as.Dimensions = append(as.Dimensions, ad)
		}
		out = append(out, as)
	}
	return out
}

// apiThresholds are the RAG thresholds, as fractions of the target (0.85).
type apiThresholds struct {
	Green float64 `json:"green"`
	Red   float64 `json:"red"`
}

// apiNode is what every tier of the plan shows first.
type apiNode struct {
	Code        string       `json:"code"`
	Title       string       `json:"title"`
	TitleI18n   domain.Texts `json:"title_i18n"`
	Description string       `json:"description"`
}

// nodeJSON shows a tier's code, title (in every language) and description.
func nodeJSON(code, title string, titleI18n domain.Texts, description string) apiNode {
	return apiNode{Code: code, Title: title, TitleI18n: texts(titleI18n), Description: description}
}

// apiPillar is the first tier.
type apiPillar struct {
	apiNode
	Objectives []apiObjective `json:"objectives"`
}

// apiObjective is the second tier, with its outcome indicators.
type apiObjective struct {
	apiNode
	Indicators []apiIndicator `json:"indicators"`
	Activities []apiActivity  `json:"activities"`
}

// apiActivity is the third tier, with who does it, its money and its
// output indicators.
type apiActivity struct {
	apiNode
	StartDate  string         `json:"start_date"`
	EndDate    string         `json:"end_date"`
	Lead       apiOrgRef      `json:"lead"`
	Supporting []string       `json:"supporting"`
	Budget     float64        `json:"budget"`
	Currency   string         `json:"currency"`
	Funding    []apiFunding   `json:"funding"`
	Indicators []apiIndicator `json:"indicators"`
}

// apiOrgRef names an organisation by acronym (stable, what people use) and name.
type apiOrgRef struct {
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
}

// apiFunding is money a funder (named by acronym) puts towards an activity.
type apiFunding struct {
	Funder   string  `json:"funder"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Status   string  `json:"status"`
}

// apiIndicator is an indicator's definition (not its values).
type apiIndicator struct {
	Code                  string       `json:"code"`
	Name                  string       `json:"name"`
	NameI18n              domain.Texts `json:"name_i18n"`
	Definition            string       `json:"definition"`
	DefinitionI18n        domain.Texts `json:"definition_i18n"`
	Level                 string       `json:"level"`
	UnitType              string       `json:"unit_type"`
	UnitLabel             string       `json:"unit_label"`
	UnitLabelI18n         domain.Texts `json:"unit_label_i18n"`
	Direction             string       `json:"direction"`
	Accumulation          string       `json:"accumulation"`
	Baseline              *apiBaseline `json:"baseline"`
	EndTarget             *float64     `json:"end_target"`
	MeansOfVerification   string       `json:"means_of_verification"`
	ReportingOrganisation string       `json:"reporting_organisation"`
	DisaggregationSet     *string      `json:"disaggregation_set"`
	Sensitive             bool         `json:"sensitive"`
}

// apiBaseline is the value an indicator starts from, and its year if known.
type apiBaseline struct {
	Value float64 `json:"value"`
	Year  *int    `json:"year"`
}

// APIPlan answers the whole tree of a plan: pillars → objectives (with
// outcome indicators) → activities (with lead and supporting organisations,
// funding and output indicators). It costs the same fixed number of queries
// as the plan page, whatever the size of the plan.
func (h *Handler) APIPlan(c echo.Context) error {
	tree, err := planning.LoadPlanTree(c.Request().Context(), h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	sets, err := planedit.DisaggregationSets(c.Request().Context(), h.DB)
	if err != nil {
		return err
	}
	out := planTreeJSON(tree)
	out.DisaggregationSets = setsJSON(sets)
	return c.JSON(http.StatusOK, out)
}

// planTreeJSON converts a loaded tree to its API form. Lists are never nil,
// so clients always get [] rather than null.
func planTreeJSON(t *planning.PlanTree) apiPlanTree {
	p := t.Plan
	out := apiPlanTree{
		Code: p.Code, Title: p.Title, Description: p.Description, Country: p.Country,
		StartYear: p.StartYear, EndYear: p.EndYear, Frequency: p.Frequency, Language: p.Language,
		Currency: p.Currency, Demo: p.Demo,
		TierLabels:         apiTierLabels{Pillar: p.Tier1Label, Objective: p.Tier2Label, Activity: p.Tier3Label},
		TierLabelsI18n:     apiTierTexts{Pillar: texts(p.Tier1LabelI18n), Objective: texts(p.Tier2LabelI18n), Activity: texts(p.Tier3LabelI18n)},
		Thresholds:         apiThresholds{Green: p.GreenThreshold, Red: p.RedThreshold},
		Pillars:            make([]apiPillar, 0, len(t.Pillars)),
		DisaggregationSets: []apiSet{},
	}
	for _, pn := range t.Pillars {
		pillar := apiPillar{apiNode: nodeJSON(pn.Code, pn.Title, pn.TitleI18n, pn.Description), Objectives: make([]apiObjective, 0, len(pn.Objectives))}
		for _, on := range pn.Objectives {
			obj := apiObjective{apiNode: nodeJSON(on.Code, on.Title, on.TitleI18n, on.Description),
				Indicators: indicatorsJSON(t, on.Indicators), Activities: make([]apiActivity, 0, len(on.Activities))}
			for _, an := range on.Activities {
				obj.Activities = append(obj.Activities, activityJSON(t, an))
			}
			pillar.Objectives = append(pillar.Objectives, obj)
		}
		out.Pillars = append(out.Pillars, pillar)
	}
	return out
}

func activityJSON(t *planning.PlanTree, a *planning.ActivityNode) apiActivity {
	lead := t.Org(a.LeadOrgID)
	out := apiActivity{
		apiNode:   nodeJSON(a.Code, a.Title, a.TitleI18n, a.Description),
		StartDate: apiDate(a.StartDate), EndDate: apiDate(a.EndDate),
		Lead:       apiOrgRef{Acronym: lead.Acronym, Name: lead.Name},
		Supporting: make([]string, 0, len(a.SupporterIDs)),
		Budget:     a.Budget, Currency: a.Currency,
		Funding:    make([]apiFunding, 0, len(a.Funding)),
		Indicators: indicatorsJSON(t, a.Indicators),
	}
	for _, id := range a.SupporterIDs {
		out.Supporting = append(out.Supporting, t.Org(id).Acronym)
	}
	for _, f := range a.Funding {
		out.Funding = append(out.Funding, apiFunding{Funder: t.Org(f.FunderID).Acronym, Amount: f.Amount, Currency: f.Currency, Status: f.Status})
	}
	return out
}

func indicatorsJSON(t *planning.PlanTree, inds []domain.Indicator) []apiIndicator {
	out := make([]apiIndicator, 0, len(inds))
	for _, ind := range inds {
		ai := apiIndicator{
			Code: ind.Code, Name: ind.Name, NameI18n: texts(ind.NameI18n), Definition: ind.Definition, Level: ind.Level(),
			DefinitionI18n: texts(ind.DefinitionI18n), UnitLabelI18n: texts(ind.UnitLabelI18n),
			UnitType: ind.UnitType, UnitLabel: ind.UnitLabel, Direction: ind.Direction, Accumulation: ind.Accumulation,
			EndTarget: ind.EndTarget, MeansOfVerification: ind.MeansOfVerification,
			ReportingOrganisation: t.Org(ind.ReportingOrgID).Acronym, Sensitive: ind.Sensitive,
		}
		if ind.BaselineValue != nil {
			ai.Baseline = &apiBaseline{Value: *ind.BaselineValue, Year: ind.BaselineYear}
		}
		if ind.DisaggregationSetID != nil {
			name := t.DisaggregationName(ind.DisaggregationSetID)
			ai.DisaggregationSet = &name
		}
		out = append(out, ai)
	}
	return out
}

// texts gives the API a translations object that is {} rather than null
// when there are none, like the lists.
func texts(t domain.Texts) domain.Texts {
	if t == nil {
		return domain.Texts{}
	}
	return t
}

// apiDate writes a calendar date as YYYY-MM-DD.
func apiDate(d time.Time) string { return d.Format(time.DateOnly) }
