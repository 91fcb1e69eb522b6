package handlers

import (
	"bytes"
	"net/http"
	"net/url"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"

	"github.com/labstack/echo/v4"
)

// offlineUpdatesPage is the upload form of a filled template of activity
// updates, and after a preview the preview with the buttons that confirm it.
type offlineUpdatesPage struct {
	Page
	Plan     string
	MaxMB    int64
	Error    string
	Preview  *offline.UpdatesPreview
	Range    string
	Rows     []offlineUpdateRowView
	FileName string
	// Upload is the SHA-256 of the uploaded workbook, kept by the server
	// until the confirmation names it.
	Upload string
}

// offlineUpdateRowView is one preview row as shown: the update in the file
// and the one saved now, each as a line of text.
type offlineUpdateRowView struct {
	offline.UpdatePreviewRow
	Typed, Stored string
	Messages      []string
	Conflict      string
}

// OfflineUpdatesTemplate sends the offline template of an organisation's
// activity updates over a period or a range (?from=&to=, as the update
// grid), to those who report for it (the page and the API).
func (h *Handler) OfflineUpdatesTemplate(c echo.Context) error {
	g, err := h.loadUpdateGrid(c)
	if err != nil {
		return h.denyLogged(c, err)
	}
	l := h.Localizer(c)
	if lang := c.QueryParam("lang"); lang != "" && i18n.IsSupported(lang) {
		l = h.I18n.For(lang)
	}
	var buf bytes.Buffer
	who := PrincipalOf(c)
	if err := offline.WriteUpdatesTemplate(&buf, g, offline.TemplateOptions{L: l, Keys: h.Keys, UserID: who.User.ID, Now: h.Now()}); err != nil {
		return err
	}
	from, to := g.Periods[0].Label, g.Periods[len(g.Periods)-1].Label
	span := from
	if to != from {
		span += "_" + to
	}
	name := "naptracker-" + g.Plan.Code + "-" + g.Org.Acronym + "-updates-" + span + "-" + l.Lang + ".xlsx"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+safeFileName(name)+`"`)
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

func (h *Handler) offlineUpdatesPage(c echo.Context) offlineUpdatesPage {
	return offlineUpdatesPage{Page: h.page(c), Plan: c.Param("plan"), MaxMB: h.offlineLimits().MaxFileBytes >> 20}
}

// OfflineUpdatesUploadForm shows the upload form of activity updates.
func (h *Handler) OfflineUpdatesUploadForm(c echo.Context) error {
	return c.Render(http.StatusOK, "offline_updates_upload", h.offlineUpdatesPage(c))
}

// OfflineUpdatesPreview reads an uploaded template of activity updates and
// shows what it would save, without writing anything; the file is kept
// for the confirmation.
func (h *Handler) OfflineUpdatesPreview(c echo.Context) error {
	p := h.offlineUpdatesPage(c)
	data, name, err := h.uploadedTemplate(c)
	if err != nil {
		return h.offlineUpdatesRefused(c, p, err)
	}
	pv, err := h.offlineUpdatesRead(c, data)
	if err != nil {
		return h.offlineUpdatesRefused(c, p, err)
	}
	if p.Upload, err = h.keepUpload(c, offline.UploadUpdates, name, data); err != nil {
		return err
	}
	h.showUpdatesPreview(c, &p, pv, name)
	return c.Render(http.StatusOK, "offline_updates_upload", p)
}

// OfflineUpdatesConfirm saves the rows a preview accepted (as drafts, or
// submitted with action=submit) and goes back to the update grid; if
// anything changed since the preview, nothing is saved and the new
// preview is shown (409).
func (h *Handler) OfflineUpdatesConfirm(c echo.Context) error {
	p := h.offlineUpdatesPage(c)
	data, name, err := h.keptUpload(c, offline.UploadUpdates)
	if err != nil {
		return h.offlineUpdatesRefused(c, p, err)
	}
	file, err := h.parseUpdates(c, data)
	if err != nil {
		return h.offlineUpdatesRefused(c, p, err)
	}
	who := PrincipalOf(c)
	expect := c.Request().PostForm["expect"]
	if expect == nil {
		expect = []string{}
	}
	submit := c.FormValue("action") == "submit"
	out, err := offline.ApplyUpdates(c.Request().Context(), h.DB, h.actor(c), domain.ScopeOf(&who.User), file,
		offline.ApplyOptions{Submit: submit, Expect: expect, FileName: name}, h.Now().UTC())
	if r, ok := offline.AsRefusal(err); ok && r.Kind == offline.KindChanged {
		if pv, perr := h.offlineUpdatesRead(c, data); perr == nil {
			h.showUpdatesPreview(c, &p, pv, name)
			p.Upload = c.FormValue("upload")
		}
		p.Error = r.Msg.Translate(h.Localizer(c).T)
		return c.Render(http.StatusConflict, "offline_updates_upload", p)
	}
	if err != nil {
		return h.offlineUpdatesRefused(c, p, err)
	}
	if err := h.dropUpload(c, offline.UploadUpdates); err != nil {
		return err
	}
	flash := "flash.offline_updates_saved"
	switch {
	case len(out.Saved) == 0:
		flash = "flash.offline_nothing"
	case submit:
		flash = "flash.offline_updates_submitted"
	}
	q := url.Values{"from": {file.From}, "to": {file.To}, "flash": {flash}}
	return c.Redirect(http.StatusSeeOther, "/plans/"+out.Plan.Code+"/organisations/"+out.Org.Acronym+"/updates?"+q.Encode())
}

// parseUpdates reads an uploaded template of activity updates of the
// request's plan.
func (h *Handler) parseUpdates(c echo.Context, data []byte) (*offline.UpdatesFile, error) {
	file, err := offline.ParseUpdates(data, h.Keys, h.offlineLimits())
	if err != nil {
		return nil, err
	}
	if file.Plan != c.Param("plan") {
		return nil, &offline.Refusal{Kind: offline.KindTampered, Msg: domain.Message{Key: "offline.err.wrong_plan", Args: []any{file.Plan}}}
	}
	return file, nil
}

// offlineUpdatesRead parses an upload and previews it for the request's user.
func (h *Handler) offlineUpdatesRead(c echo.Context, data []byte) (*offline.UpdatesPreview, error) {
	file, err := h.parseUpdates(c, data)
	if err != nil {
		return nil, err
	}
	who := PrincipalOf(c)
	return offline.MakeUpdatesPreview(c.Request().Context(), h.DB, domain.ScopeOf(&who.User), file, h.Now().UTC())
}

// showUpdatesPreview lays out a preview with its messages translated.
func (h *Handler) showUpdatesPreview(c echo.Context, p *offlineUpdatesPage, pv *offline.UpdatesPreview, name string) {
	l := h.Localizer(c)
	p.Preview, p.FileName, p.Rows = pv, name, nil
	p.Range = pv.File.From
	if pv.File.To != pv.File.From {
		p.Range += "–" + pv.File.To
	}
	for _, r := range pv.Rows {
		v := offlineUpdateRowView{UpdatePreviewRow: r, Typed: offline.ProgressLine(l, r.Typed.Progress, r.Typed.PercentComplete)}
		if r.Stored != nil {
			v.Stored = offline.ProgressLine(l, r.Stored.Progress, r.Stored.PercentComplete)
		}
		for _, e := range r.Errors {
			v.Messages = append(v.Messages, e.Cell+": "+e.Msg.Translate(l.T))
		}
		if r.Status == offline.Conflict {
			v.Conflict = l.T("offline.updates.preview.conflict", r.ChangedBy, l.DateTime(r.Stored.UpdatedAt))
		}
		p.Rows = append(p.Rows, v)
	}
}

// offlineUpdatesRefused shows the upload form again with why the file was
// refused, or hands other errors to the error handler.
func (h *Handler) offlineUpdatesRefused(c echo.Context, p offlineUpdatesPage, err error) error {
	msg, status, ok := h.refusalMessage(c, err)
	if !ok {
		return err
	}
	p.Error = msg
	return c.Render(status, "offline_updates_upload", p)
}
