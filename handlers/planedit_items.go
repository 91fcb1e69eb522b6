package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/planedit"

	"github.com/labstack/echo/v4"
)

// editBase is what every editing form page shows: the plan (nil for
// organisations), the form as typed with its messages, where it posts, and
// for an existing item its delete and archive box.
type editBase struct {
	Page
	Plan     *domain.Plan
	Form     formValues
	Errors   map[string]string
	Action   string
	Creating bool
	Item     *itemState
}

// itemState drives the delete and archive box of an existing item.
type itemState struct {
	// Path is the item's address: the box posts to Path+"/delete" and so on.
	Path     string
	Version  int
	Archived bool
	// InUse says, after a refused delete, what depends on the item.
	InUse []string
}

// peSegments maps each tree kind to its path segment.
var peSegments = map[string]string{"pillar": "pillars", "objective": "objectives", "activity": "activities", "indicator": "indicators"}

// itemPath is the address of a tree item of a plan.
func peItemPath(p *domain.Plan, kind, code string) string {
	return planEditPath(p, "/"+peSegments[kind]+"/"+url.PathEscape(code))
}

// peCreated answers a successful create with the new item's edit page
// (the models return the item even when they refuse it).
func peCreated(plan *domain.Plan, kind, code string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return peItemPath(plan, kind, code) + "/edit?flash=flash.pe_created", nil
}

// Lifecycle operations of ItemLifecycle.
const (
	opDelete    = "delete"
	opArchive   = "archive"
	opUnarchive = "unarchive"
)

// ItemLifecycle deletes, archives or restores the pillar, objective,
// activity, indicator (kind, named by :plan and :code) or organisation
// (:id). A delete refused because something depends on the item shows its
// page again with 409, saying what depends on it and offering to archive.
func (h *Handler) ItemLifecycle(kind, op string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		ref := domain.EntityRef{Kind: kind, Version: formVersion(c)}
		var plan *domain.Plan
		var base, afterDelete string
		if kind == "organisation" {
			o, err := h.targetOrg(c)
			if err != nil {
				return err
			}
			ref.ID, base, afterDelete = o.ID, "/organisations/"+strconv.FormatInt(o.ID, 10), "/organisations"
		} else {
			var err error
			if plan, err = h.editPlan(c); err != nil {
				return err
			}
			if ref.ID, err = planedit.EntityID(ctx, h.DB, kind, plan.ID, c.Param("code")); err != nil {
				return err
			}
			ref.PlanID = &plan.ID
			base, afterDelete = peItemPath(plan, kind, c.Param("code"))+"/edit", planEditPath(plan, "/edit")
		}
		var err error
		to := base + "?flash=flash.pe_archived"
		switch op {
		case opDelete:
			err, to = planedit.DeleteEntity(ctx, h.DB, h.caller(c), ref), afterDelete+"?flash=flash.pe_deleted"
		case opArchive:
			err = planedit.ArchiveEntity(ctx, h.DB, h.caller(c), ref, true)
		default:
			err, to = planedit.ArchiveEntity(ctx, h.DB, h.caller(c), ref, false), base+"?flash=flash.pe_unarchived"
		}
		var inUse *planedit.InUseError
		if errors.As(err, &inUse) {
			return h.showItem(c, kind, plan, dependentsText(h.Localizer(c), inUse.Dependents))
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
}

// showItem renders an item's edit page with 409 and what keeps it from being deleted.
func (h *Handler) showItem(c echo.Context, kind string, plan *domain.Plan, inUse []string) error {
	switch kind {
	case "organisation":
		o, err := h.targetOrg(c)
		if err != nil {
			return err
		}
		return h.renderOrgEdit(c, http.StatusConflict, o, nil, nil, inUse)
	case "activity":
		return h.renderActivityEdit(c, http.StatusConflict, plan, nil, nil, inUse)
	case "indicator":
		return h.renderIndicatorEdit(c, http.StatusConflict, plan, nil, nil, inUse)
	}
	return h.renderNodeEdit(c, kind, http.StatusConflict, plan, nil, nil, inUse)
}

// dependentsText says in words what depends on an item ("3 objectives").
func dependentsText(l *i18n.Localizer, deps []planedit.Dependent) []string {
	out := make([]string, len(deps))
	for i, d := range deps {
		out[i] = l.N("pe.dep."+d.Kind, int(d.N))
	}
	return out
}

// itemBox is the delete and archive box of an existing item.
func itemBox(path string, version int, archivedAt *time.Time, inUse []string) *itemState {
	return &itemState{Path: path, Version: version, Archived: archivedAt != nil, InUse: inUse}
}
