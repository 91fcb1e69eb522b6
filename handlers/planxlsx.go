package handlers

import (
	"bytes"
	"net/http"

	"naptracker/domain"
	"naptracker/offline"
	"naptracker/planxlsx"

	"github.com/labstack/echo/v4"
)

// planImportPage is the upload form of a plan workbook and, after a dry
// run, its preview with the button that confirms it.
type planImportPage struct {
	Page
	MaxMB    int64
	Error    string
	Result   *planxlsx.Result
	Rows     []planImportRow
	FileName string
	// Upload is the SHA-256 of the uploaded workbook, kept by the server
	// until the confirmation names it (offline.KeepUpload); Digest is the
	// preview's, so that a plan changed in between is not imported blindly.
	Upload, Digest string
}

// planImportRow is one row of the preview as shown.
type planImportRow struct {
	planxlsx.RowResult
	Details []string
}

// PlanExport sends the plan as one workbook (the page link and the API).
func (h *Handler) PlanExport(c echo.Context) error {
	b, err := planxlsx.Load(c.Request().Context(), h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+safeFileName("naptracker-plan-"+c.Param("plan")+".xlsx")+`"`)
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

func (h *Handler) planImportPage(c echo.Context) planImportPage {
	return planImportPage{Page: h.page(c), MaxMB: h.offlineLimits().MaxFileBytes >> 20}
}

// PlanImportForm shows the upload form.
func (h *Handler) PlanImportForm(c echo.Context) error {
	return c.Render(http.StatusOK, "plan_import", h.planImportPage(c))
}

// PlanImportPreview runs the import of an uploaded workbook as a dry run
// and shows every row: create, update (old → new), unchanged or error.
func (h *Handler) PlanImportPreview(c echo.Context) error {
	p := h.planImportPage(c)
	data, name, err := h.uploadedTemplate(c)
	if err != nil {
		return h.planImportRefused(c, p, err)
	}
	res, err := planxlsx.Import(c.Request().Context(), h.DB, h.actor(c), data,
		planxlsx.Options{Limits: h.offlineLimits(), DryRun: true, FileName: name}, h.Now().UTC())
	if err != nil {
		return h.planImportRefused(c, p, err)
	}
	if p.Upload, err = h.keepUpload(c, offline.UploadPlan, name, data); err != nil {
		return err
	}
	p.FileName = name
	h.showPlanImport(c, &p, res)
	status := http.StatusOK
	if res.Count(planxlsx.Invalid) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return c.Render(status, "plan_import", p)
}

func (h *Handler) showPlanImport(c echo.Context, p *planImportPage, res *planxlsx.Result) {
	l := h.Localizer(c)
	p.Result, p.Digest, p.Rows = res, res.Digest(), nil
	for _, r := range res.Rows {
		p.Rows = append(p.Rows, planImportRow{RowResult: r, Details: r.Details(l.T)})
	}
}

// PlanImportConfirm imports the workbook of a confirmed preview in one
// transaction; if the preview would now differ, nothing is written and
// the new preview is shown (409).
func (h *Handler) PlanImportConfirm(c echo.Context) error {
	p := h.planImportPage(c)
	data, name, err := h.keptUpload(c, offline.UploadPlan)
	if err != nil {
		return h.planImportRefused(c, p, err)
	}
	o := planxlsx.Options{Limits: h.offlineLimits(), Expect: c.FormValue("digest"), FileName: name}
	res, err := planxlsx.Import(c.Request().Context(), h.DB, h.actor(c), data, o, h.Now().UTC())
	if r, ok := offline.AsRefusal(err); ok && r.Kind == offline.KindChanged {
		o.Expect, o.DryRun = "", true
		if res, perr := planxlsx.Import(c.Request().Context(), h.DB, h.actor(c), data, o, h.Now().UTC()); perr == nil {
			p.FileName, p.Upload = name, c.FormValue("upload")
			h.showPlanImport(c, &p, res)
		}
		p.Error = r.Msg.Translate(h.Localizer(c).T)
		return c.Render(http.StatusConflict, "plan_import", p)
	}
	if err != nil {
		return h.planImportRefused(c, p, err)
	}
	if !res.Applied {
		p.FileName, p.Upload = name, c.FormValue("upload")
		h.showPlanImport(c, &p, res)
		return c.Render(http.StatusUnprocessableEntity, "plan_import", p)
	}
	if err := h.dropUpload(c, offline.UploadPlan); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/plans/"+res.Plan+"/edit?flash=flash.plan_imported")
}

// planImportRefused shows the form again with why the file was refused.
func (h *Handler) planImportRefused(c echo.Context, p planImportPage, err error) error {
	l := h.Localizer(c)
	if r, ok := offline.AsRefusal(err); ok {
		p.Error = r.Msg.Translate(l.T)
		return c.Render(RefusalStatus(r), "plan_import", p)
	}
	if ve, ok := err.(*domain.ValidationError); ok {
		for _, m := range ve.Localized(l.T) {
			p.Error = m
		}
		return c.Render(http.StatusUnprocessableEntity, "plan_import", p)
	}
	return err
}

// planImportJSON is the answer of the plan import endpoint.
type planImportJSON struct {
	Plan    string              `json:"plan"`
	SHA256  string              `json:"sha256"`
	Digest  string              `json:"digest"`
	Applied bool                `json:"applied"`
	Counts  map[string]int      `json:"counts"`
	Rows    []planImportRowJSON `json:"rows"`
}

type planImportRowJSON struct {
	Sheet   string             `json:"sheet"`
	Row     int                `json:"row"`
	Key     string             `json:"key"`
	Status  string             `json:"status"`
	Changes []planxlsx.Change  `json:"changes,omitempty"`
	Errors  []offlineErrorJSON `json:"errors,omitempty"`
}

// APIPlanImport imports a plan workbook (the request body, or the "file"
// field of a multipart form): a dry run with dry_run=true; expect=DIGEST
// refuses (409) when the preview is no longer the one confirmed. A file
// with any row in error writes nothing and answers 422 with every row.
func (h *Handler) APIPlanImport(c echo.Context) error {
	l := h.Localizer(c)
	data, name, err := h.uploadedTemplate(c)
	if err != nil {
		return h.apiRefused(c, err)
	}
	o := planxlsx.Options{Limits: h.offlineLimits(), DryRun: c.QueryParam("dry_run") == "true", Expect: c.QueryParam("expect"), FileName: name}
	res, err := planxlsx.Import(c.Request().Context(), h.DB, h.actor(c), data, o, h.Now().UTC())
	if err != nil {
		return h.apiRefused(c, err)
	}
	out := planImportJSON{Plan: res.Plan, SHA256: res.SHA256, Digest: res.Digest(), Applied: res.Applied, Counts: map[string]int{}, Rows: []planImportRowJSON{}}
	for _, s := range []string{planxlsx.Create, planxlsx.Update, planxlsx.Unchanged, planxlsx.Invalid} {
		out.Counts[s] = res.Count(s)
	}
	for _, r := range res.Rows {
		row := planImportRowJSON{Sheet: r.Sheet, Row: r.Line, Key: r.Key, Status: r.Status, Changes: r.Changes}
		for _, e := range r.Errors {
			row.Errors = append(row.Errors, offlineErrorJSON{Cell: e.Cell, Message: e.Msg.Translate(l.T)})
		}
		out.Rows = append(out.Rows, row)
	}
	status := http.StatusOK
	if res.Count(planxlsx.Invalid) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return c.JSON(status, out)
}
