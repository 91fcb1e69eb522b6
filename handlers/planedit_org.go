package handlers

import (
	"net/http"
	"strconv"

	"naptracker/domain"
	"naptracker/planedit"

	"github.com/labstack/echo/v4"
)

// orgsPage lists the organisations.
type orgsPage struct {
	Page
	Orgs []orgRow
}

// orgRow is an organisation of the list with its type in words.
type orgRow struct {
	planedit.OrgListItem
	TypeLabel string
}

// orgFormPage is the form of an organisation.
type orgFormPage struct {
	editBase
	Types []choice
	Org   *domain.Organisation
}

// targetOrg loads the organisation named by :id; a malformed id is not found.
func (h *Handler) targetOrg(c echo.Context) (*domain.Organisation, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, domain.ErrNotFound
	}
	return planedit.OrganisationByID(c.Request().Context(), h.DB, id)
}

// Organisations lists every organisation, archived ones last, with how
// many accounts, led activities and reported indicators refer to each.
func (h *Handler) Organisations(c echo.Context) error {
	list, err := planedit.ListOrganisations(c.Request().Context(), h.DB)
	if err != nil {
		return err
	}
	l := h.Localizer(c)
	p := orgsPage{Page: h.page(c), Orgs: make([]orgRow, len(list))}
	for i, o := range list {
		p.Orgs[i] = orgRow{OrgListItem: o, TypeLabel: l.T("pe.orgtype." + o.Type)}
	}
	return c.Render(http.StatusOK, "edit_orgs", p)
}

func orgFields(o *domain.Organisation) formValues {
	return formValues{"acronym": {o.Acronym}, "name": {o.Name}, "type": {o.Type}, "version": {strconv.Itoa(o.Version)}}
}

func parseOrg(p *formParser) planedit.OrgInput {
	return planedit.OrgInput{Acronym: p.text("acronym"), Name: p.text("name"), Type: p.text("type"), Version: p.version()}
}

func (h *Handler) renderOrgForm(c echo.Context, status int, o *domain.Organisation, f formValues, errs map[string]string, inUse []string) error {
	p := orgFormPage{editBase: editBase{Page: h.page(c), Form: f, Errors: errs, Action: "/organisations", Creating: o == nil},
		Types: enumOptions(h.Localizer(c), "pe.orgtype.", domain.OrgTypes), Org: o}
	if o != nil {
		path := "/organisations/" + strconv.FormatInt(o.ID, 10)
		p.Action, p.Item = path, itemBox(path, o.Version, o.ArchivedAt, inUse)
	}
	return c.Render(status, "edit_org", p)
}

// renderOrgEdit shows an organisation's form; f nil fills it from the database.
func (h *Handler) renderOrgEdit(c echo.Context, status int, o *domain.Organisation, f formValues, errs map[string]string, inUse []string) error {
	if f == nil {
		f = orgFields(o)
	}
	return h.renderOrgForm(c, status, o, f, errs, inUse)
}

// NewOrganisationForm shows the form for a new organisation.
func (h *Handler) NewOrganisationForm(c echo.Context) error {
	return h.renderOrgForm(c, http.StatusOK, nil, formValues{"type": {domain.OrgMinistry}, "version": {"0"}}, nil, nil)
}

// CreateOrganisation adds an organisation.
func (h *Handler) CreateOrganisation(c echo.Context) error {
	ctx := c.Request().Context()
	var in planedit.OrgInput
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parseOrg(p) },
		check: func() error { return planedit.ValidateOrgInput(ctx, h.DB, in, 0) },
		save: func() (string, error) {
			o, err := planedit.CreateOrganisation(ctx, h.DB, h.caller(c), in)
			if err != nil {
				return "", err
			}
			return "/organisations/" + strconv.FormatInt(o.ID, 10) + "?flash=flash.pe_created", nil
		},
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderOrgForm(c, status, nil, f, errs, nil)
	})
}

// OrganisationForm shows an organisation's form with its delete and archive box.
func (h *Handler) OrganisationForm(c echo.Context) error {
	o, err := h.targetOrg(c)
	if err != nil {
		return err
	}
	return h.renderOrgEdit(c, http.StatusOK, o, nil, nil, nil)
}

// UpdateOrganisation saves an organisation's form.
func (h *Handler) UpdateOrganisation(c echo.Context) error {
	o, err := h.targetOrg(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var in planedit.OrgInput
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parseOrg(p) },
		check: func() error { return planedit.ValidateOrgInput(ctx, h.DB, in, o.ID) },
		save: func() (string, error) {
			err := planedit.UpdateOrganisation(ctx, h.DB, h.caller(c), o.ID, in)
			return "/organisations/" + strconv.FormatInt(o.ID, 10) + "?flash=flash.pe_saved", err
		},
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderOrgForm(c, status, o, f, errs, nil)
	})
}
