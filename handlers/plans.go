package handlers

import (
	"net/http"

	"naptracker/models"

	"github.com/labstack/echo/v4"
)

// homePage lists the plans.
type homePage struct {
	Page
	Plans []models.PlanSummary
}

// Home lists every plan with its size.
func (h *Handler) Home(c echo.Context) error {
	plans, err := models.ListPlans(c.Request().Context(), h.DB)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "home", homePage{Page: h.page(c), Plans: plans})
}

// planPage shows one plan's tree.
type planPage struct {
	Page
	Tree *models.PlanTree
}

// ShowPlan shows the plan's tree: pillars → objectives → activities →
// indicators, with lead and supporting organisations.
func (h *Handler) ShowPlan(c echo.Context) error {
	tree, err := models.LoadPlanTree(c.Request().Context(), h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "plan", planPage{Page: h.page(c), Tree: tree})
}
