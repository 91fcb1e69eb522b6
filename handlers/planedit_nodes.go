package handlers

import (
	"net/http"
	"strconv"
	"time"

	"naptracker/domain"
	"naptracker/planedit"

	"github.com/labstack/echo/v4"
)

// nodeFormPage is the form of a pillar or an objective.
type nodeFormPage struct {
	editBase
	Kind string
	// Tier is the plan's name for this tier ("Pillar" unless renamed).
	Tier string
	// Parent is the pillar's code for an objective, "" for a pillar.
	Parent string
}

// nodeView is what the pillar and objective pages show of an existing item.
type nodeView struct {
	Code, Title, Description string
	Titles                   domain.Texts
	Position, Version        int
	ArchivedAt               *time.Time
	Parent                   string
}

// findNode loads the pillar or objective named by :code.
func (h *Handler) findNode(c echo.Context, kind string, plan *domain.Plan) (*nodeView, error) {
	ctx, code := c.Request().Context(), c.Param("code")
	if kind == "pillar" {
		p, err := planedit.FindCoded[domain.Pillar](ctx, h.DB, plan.ID, code)
		if err != nil {
			return nil, err
		}
		return &nodeView{p.Code, p.Title, p.Description, p.TitleI18n, p.Position, p.Version, p.ArchivedAt, ""}, nil
	}
	o, err := planedit.FindCoded[domain.Objective](ctx, h.DB, plan.ID, code)
	if err != nil {
		return nil, err
	}
	parent, err := planedit.FindByID[domain.Pillar](ctx, h.DB, o.PillarID)
	if err != nil {
		return nil, err
	}
	return &nodeView{o.Code, o.Title, o.Description, o.TitleI18n, o.Position, o.Version, o.ArchivedAt, parent.Code}, nil
}

// nodeFields fills a tier form; it is shared by every tier's form.
func nodeFields(code, title, description string, position, version int) formValues {
	f := formValues{}
	f.set("code", code)
	f.set("title", title)
	f.set("description", description)
	f.set("position", strconv.Itoa(position))
	f.set("version", strconv.Itoa(version))
	return f
}

// parseNode reads the fields every tier form shares.
func parseNode(p *formParser) planedit.NodeInput {
	return planedit.NodeInput{Code: p.text("code"), Title: p.text("title"), Titles: p.texts("title"), Description: p.text("description"),
		Position: p.integer("position", 0), Version: p.version()}
}

func peTierLabel(plan *domain.Plan, kind, lang string) string {
	switch kind {
	case "pillar":
		return plan.Tier1In(lang)
	case "objective":
		return plan.Tier2In(lang)
	}
	return plan.Tier3In(lang)
}

func (h *Handler) renderNodeNew(c echo.Context, status int, plan *domain.Plan, kind, parent string, f formValues, errs map[string]string) error {
	p := nodeFormPage{editBase: editBase{Page: h.page(c), Plan: plan, Form: f, Errors: errs, Creating: true,
		Action: planEditPath(plan, "/pillars")}, Kind: kind, Tier: peTierLabel(plan, kind, h.Localizer(c).Lang), Parent: parent}
	if kind == "objective" {
		p.Action = peChildPath(plan, "pillar", parent, "objective")
	}
	return c.Render(status, "edit_node", p)
}

// newNode shows the form for a new pillar or objective with the next code suggested.
func (h *Handler) newNode(c echo.Context, kind string) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	parent := ""
	if kind == "objective" {
		pillar, err := planedit.FindCoded[domain.Pillar](c.Request().Context(), h.DB, plan.ID, c.Param("code"))
		if err != nil {
			return err
		}
		parent = pillar.Code
	}
	code, err := planedit.SuggestCode(c.Request().Context(), h.DB, plan.ID, kind, parent)
	if err != nil {
		return err
	}
	return h.renderNodeNew(c, http.StatusOK, plan, kind, parent, nodeFields(code, "", "", 0, 0), nil)
}

// NewPillarForm shows the form for a new pillar.
func (h *Handler) NewPillarForm(c echo.Context) error { return h.newNode(c, "pillar") }

// NewObjectiveForm shows the form for a new objective under the pillar :code.
func (h *Handler) NewObjectiveForm(c echo.Context) error { return h.newNode(c, "objective") }

// CreatePillar adds a pillar to the plan.
func (h *Handler) CreatePillar(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	var in planedit.NodeInput
	ctx := c.Request().Context()
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parseNode(p) },
		check: func() error { return planedit.ValidateNodeInput(ctx, h.DB, "pillar", plan.ID, "", in, true) },
		save: func() (string, error) {
			p, err := planedit.CreatePillar(ctx, h.DB, h.caller(c), plan, in)
			return peCreated(plan, "pillar", p.Code, err)
		},
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderNodeNew(c, status, plan, "pillar", "", f, errs)
	})
}

// CreateObjective adds an objective under the pillar :code.
func (h *Handler) CreateObjective(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pillar, err := planedit.FindCoded[domain.Pillar](ctx, h.DB, plan.ID, c.Param("code"))
	if err != nil {
		return err
	}
	var in planedit.NodeInput
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parseNode(p) },
		check: func() error {
			return planedit.ValidateNodeInput(ctx, h.DB, "objective", plan.ID, pillar.Code, in, true)
		},
		save: func() (string, error) {
			o, err := planedit.CreateObjective(ctx, h.DB, h.caller(c), plan, pillar, in)
			return peCreated(plan, "objective", o.Code, err)
		},
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderNodeNew(c, status, plan, "objective", pillar.Code, f, errs)
	})
}

// renderNodeEdit shows an existing pillar or objective; f nil fills the
// form from the database; inUse explains a refused delete.
func (h *Handler) renderNodeEdit(c echo.Context, kind string, status int, plan *domain.Plan, f formValues, errs map[string]string, inUse []string) error {
	n, err := h.findNode(c, kind, plan)
	if err != nil {
		return err
	}
	if f == nil {
		f = nodeFields(n.Code, n.Title, n.Description, n.Position, n.Version)
		f.setTexts("title", n.Titles)
	}
	f.set("code", n.Code)
	path := peItemPath(plan, kind, n.Code)
	p := nodeFormPage{editBase: editBase{Page: h.page(c), Plan: plan, Form: f, Errors: errs, Action: path,
		Item: itemBox(path, n.Version, n.ArchivedAt, inUse)}, Kind: kind, Tier: peTierLabel(plan, kind, h.Localizer(c).Lang), Parent: n.Parent}
	return c.Render(status, "edit_node", p)
}

// EditNodeForm shows the form of the pillar or objective (kind) :code.
func (h *Handler) EditNodeForm(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		plan, err := h.editPlan(c)
		if err != nil {
			return err
		}
		return h.renderNodeEdit(c, kind, http.StatusOK, plan, nil, nil, nil)
	}
}

// UpdateNode saves the form of the pillar or objective (kind) :code.
func (h *Handler) UpdateNode(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		plan, err := h.editPlan(c)
		if err != nil {
			return err
		}
		ctx, code := c.Request().Context(), c.Param("code")
		var in planedit.NodeInput
		return h.submitForm(c, formStep{
			parse: func(p *formParser) { in = parseNode(p) },
			check: func() error { return planedit.ValidateNodeInput(ctx, h.DB, kind, plan.ID, "", in, false) },
			save: func() (string, error) {
				err := planedit.UpdateNode(ctx, h.DB, h.caller(c), plan, kind, code, in)
				return peItemPath(plan, kind, code) + "/edit?flash=flash.pe_saved", err
			},
		}, func(status int, f formValues, errs map[string]string) error {
			return h.renderNodeEdit(c, kind, status, plan, f, errs, nil)
		})
	}
}
