package review

import (
	"time"

	"naptracker/domain"
	"naptracker/reporting"
)

// Slides is the content of a workshop presentation: everything the slides
// show, computed from approved data only. The live presentation renders it
// straight away; a review snapshot stores it as JSON (slides_json) so that
// the presentation given at a workshop can be shown again, exactly, after
// the live data has changed. Labels are translated when the slides are
// rendered; plan content keeps its translations (the Texts fields).
type Slides struct {
	PlanID    int64
	PlanCode  string
	PlanTitle string
	// PlanLanguage is the language plan content is written in.
	PlanLanguage string
	Tier1Label   string
	Tier3Label   string
	// Translations of the tier labels (Tier1In, Tier3In).
	Tier1LabelI18n domain.Texts `json:",omitempty"`
	Tier3LabelI18n domain.Texts `json:",omitempty"`
	From, To       string       // labels of the first and last period of the range
	// Latest is the label of the period whose compliance is shown: the
	// latest period of the range whose due date has passed (in snapshots
	// taken before this rule, the range's last period).
	Latest     string
	At         time.Time
	Thresholds domain.Thresholds
	// LatestDue is the due date of the period Latest names (zero in older
	// snapshots).
	LatestDue time.Time
	// NoneDue: no period of the range was due at the instant At, so no
	// compliance is shown; Latest names the first period, due at LatestDue.
	// (A negative, so that older snapshots read false and show their rows.)
	NoneDue bool

	Overview   SlideTotals
	Pillars    []PillarSlide
	Compliance []ComplianceLine
	// ComplianceTotal sums every organisation of the period Latest names.
	ComplianceTotal ComplianceLine
	// OffTrack lists the indicators furthest off track (at most KeyOffTrack),
	// worst first; BestOnTrack those furthest ahead (at most KeyOnTrack).
	OffTrack    []IndicatorLine
	BestOnTrack []IndicatorLine
	Funding     []PartnerFunding
}

// How many indicators the key-indicator slide and a pillar slide list.
const (
	KeyOffTrack    = 8
	KeyOnTrack     = 4
	PillarOffTrack = 3
)

// NoReport is the status of an activity without an approved update in the range.
const NoReport = "no_report"

// SlideStatuses lists the statuses a slide counts activities by, in
// display order: the progress statuses, then NoReport (no approved update
// in the range).
var SlideStatuses = []string{domain.ProgressNotStarted, domain.ProgressOnTrack, domain.ProgressDelayed, domain.ProgressCompleted, domain.ProgressCancelled, NoReport}

// Count is one bar of a slide's chart: a status or rating and how many.
type Count struct {
	Key string
	N   int
}

// Money is a budget and what was spent of it, in one currency.
type Money struct {
	Currency string
	Budget   float64
	Spent    float64
}

// SlideTotals are the counts an overview or a pillar slide shows.
type SlideTotals struct {
	Activities     int
	ActivityStatus []Count // by SlideStatuses, zero counts included
	Indicators     int
	RAG            []Count // by RAGs, zero counts included
	Money          []Money // by currency
}

// PillarSlide is one pillar: its totals, its activities and its
// indicators furthest off track.
type PillarSlide struct {
	Code       string
	Title      string
	TitleI18n  domain.Texts
	Totals     SlideTotals
	Activities []ActivityLine
	OffTrack   []IndicatorLine
}

// TitleIn is the pillar's title in lang, else the original.
func (p PillarSlide) TitleIn(lang string) string { return p.TitleI18n.In(lang, p.Title) }

// ActivityLine is an activity with the status of its latest approved update.
type ActivityLine struct {
	Code      string
	Title     string
	TitleI18n domain.Texts
	Lead      string // acronym of the lead organisation
	Status    string // a progress status or NoReport
	Percent   int
	Period    string // label of the update's period ("" without one)
}

// TitleIn is the activity's title in lang, else the original.
func (a ActivityLine) TitleIn(lang string) string { return a.TitleI18n.In(lang, a.Title) }

// IndicatorLine is an indicator's current standing: the figures of the
// latest period of the range whose due date has passed (or the first
// period when none has), as the workshop report rates them.
type IndicatorLine struct {
	Code     string
	Name     string
	NameI18n domain.Texts
	Pillar   string
	Unit     string
	Baseline *float64
	Target   *float64
	Actual   *float64
	Progress *float64
	RAG      string
	Period   string
	// Withheld: the indicator counts victims and the figure is small (or
	// built from a small one), so it is not shown; the rating stays.
	// Small: the figure itself is between 1 and 4 (shown as "<5").
	Withheld bool
	Small    bool
}

// ComplianceLine is one organisation's reporting in the period Latest names.
type ComplianceLine struct {
	Acronym string
	Name    string
	reporting.CompletenessCounts
}

// Rate is the completeness rate (nil when nothing was expected).
func (c ComplianceLine) Rate() *float64 { return c.CompletenessRate() }

// PartnerFunding is one partner's money in one currency: the planned budget
// of the activities it funds, what it pledged, committed and disbursed
// (a disbursed line counts as committed and pledged too), and what those
// activities report spent.
type PartnerFunding struct {
	Acronym    string
	Name       string
	Currency   string
	Activities int
	Planned    float64
	Pledged    float64
	Committed  float64
	Disbursed  float64
	Spent      float64
}

// Tier1In is the slides' first tier label in lang (see domain.Plan.Tier1In).
func (s Slides) Tier1In(lang string) string { return s.Tier1LabelI18n.In(lang, s.Tier1Label) }

// Tier3In is the slides' third tier label in lang (see domain.Plan.Tier1In).
func (s Slides) Tier3In(lang string) string { return s.Tier3LabelI18n.In(lang, s.Tier3Label) }
