package handlers

import (
	"errors"
	"net/http"
	"time"

	"naptracker/domain"
	"naptracker/planning"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The JSON API answers with dedicated response types whose fields are named
// by explicit snake_case tags: the GORM structs are never serialised, so a
// new column (a password hash, a secret) can never leak into an answer, and
// the API's shape does not change when a model does.

// apiMe is the answer of GET /api/v1/me: who the token belongs to.
type apiMe struct {
	ID           int64         `json:"id"`
	Email        string        `json:"email"`
	Name         string        `json:"name"`
	Role         string        `json:"role"`
	Organisation *apiOrgDetail `json:"organisation"`
	Language     string        `json:"language"`
}

// apiOrgDetail names an organisation.
type apiOrgDetail struct {
	ID      int64  `json:"id"`
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
}

// APIMe tells a program which user its token acts as, with the role and
// organisation that decide what it may see and do.
func (h *Handler) APIMe(c echo.Context) error {
	u := PrincipalOf(c).User
	out := apiMe{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Language: u.Language}
	if u.OrganisationID != nil {
		var o domain.Organisation
		err := h.DB.WithContext(c.Request().Context()).Take(&o, *u.OrganisationID).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err == nil {
			out.Organisation = &apiOrgDetail{ID: o.ID, Acronym: o.Acronym, Name: o.Name}
		}
	}
	return c.JSON(http.StatusOK, out)
}

// apiPlanList is the answer of GET /api/v1/plans.
type apiPlanList struct {
	Plans []apiPlanSummary `json:"plans"`
}

// apiPlanSummary is one plan with its size.
type apiPlanSummary struct {
	Code       string `json:"code"`
	Title      string `json:"title"`
	Country    string `json:"country"`
	StartYear  int    `json:"start_year"`
	EndYear    int    `json:"end_year"`
	Frequency  string `json:"frequency"`
	Demo       bool   `json:"demo"`
	Pillars    int    `json:"pillars"`
	Activities int    `json:"activities"`
	Indicators int    `json:"indicators"`
}

// APIPlans lists the plans that are not archived, with their sizes.
func (h *Handler) APIPlans(c echo.Context) error {
	plans, err := planning.ListPlans(c.Request().Context(), h.DB)
	if err != nil {
		return err
	}
	out := apiPlanList{Plans: make([]apiPlanSummary, 0, len(plans))}
	for _, p := range plans {
		out.Plans = append(out.Plans, apiPlanSummary{
			Code: p.Code, Title: p.Title, Country: p.Country, StartYear: p.StartYear, EndYear: p.EndYear,
			Frequency: p.Frequency, Demo: p.Demo, Pillars: p.Pillars, Activities: p.Activities, Indicators: p.Indicators,
		})
	}
	return c.JSON(http.StatusOK, out)
}

// apiPeriodList is the answer of GET /api/v1/plans/{plan}/periods.
type apiPeriodList struct {
	Periods []apiPeriod `json:"periods"`
}

// apiPeriod is one reporting period and its state at the time of the request.
type apiPeriod struct {
	Label     string `json:"label"`
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
	DueDate   string `json:"due_date"`
	GraceDays int    `json:"grace_days"`
	// LocksAt is the instant (RFC 3339, UTC) the period locks by itself.
	LocksAt string `json:"locks_at"`
	State   string `json:"state"`
}

// APIPeriods lists a plan's reporting periods in order, each with its state
// now (upcoming, open, overdue or closed), in one query after the plan's.
func (h *Handler) APIPeriods(c echo.Context) error {
	ctx := c.Request().Context()
	plan, err := planning.FindPlan(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	var periods []domain.ReportingPeriod
	if err := h.DB.WithContext(ctx).Where("plan_id = ?", plan.ID).Order("start_date, id").Find(&periods).Error; err != nil {
		return err
	}
	now := h.Now().UTC()
	out := apiPeriodList{Periods: make([]apiPeriod, 0, len(periods))}
	for _, p := range periods {
		out.Periods = append(out.Periods, apiPeriod{
			Label: p.Label, StartDate: apiDate(p.StartDate), EndDate: apiDate(p.EndDate), DueDate: apiDate(p.DueDate),
			GraceDays: p.GraceDays, LocksAt: p.LocksAt().UTC().Format(time.RFC3339), State: p.State(now, nil),
		})
	}
	return c.JSON(http.StatusOK, out)
}
