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

// updatesUpload is the upload of a template of activity updates.
var updatesUpload = offlineUpload{
	kind: offline.UploadUpdates,
	text: offlineText{Title: "offline.updates.upload.title", Help: "offline.updates.upload.help", Again: "offline.updates.upload_link",
		Code: "offline.updates.preview.activity"},
	read: (*Handler).offlineUpdatesRead,
	apply: func(h *Handler, c echo.Context, data []byte, o offline.ApplyOptions) (int, string, url.Values, error) {
		file, err := h.parseUpdates(c, data)
		if err != nil {
			return 0, "", nil, err
		}
		who := PrincipalOf(c)
		out, err := offline.ApplyUpdates(c.Request().Context(), h.DB, h.actor(c), domain.ScopeOf(&who.User), file, o, h.Now().UTC())
		if err != nil {
			return 0, "", nil, err
		}
		return len(out.Saved), "/plans/" + out.Plan.Code + "/organisations/" + out.Org.Acronym + "/updates", url.Values{"from": {file.From}, "to": {file.To}}, nil
	},
	saved: "flash.offline_updates_saved", submitted: "flash.offline_updates_submitted",
}

// OfflineUpdatesUploadForm shows the upload form of activity updates.
func (h *Handler) OfflineUpdatesUploadForm(c echo.Context) error {
	return h.offlineUploadForm(c, updatesUpload)
}

// OfflineUpdatesPreview reads an uploaded template of activity updates and
// shows what it would save, without writing anything; the file is kept
// for the confirmation.
func (h *Handler) OfflineUpdatesPreview(c echo.Context) error {
	return h.offlineUploadPreview(c, updatesUpload)
}

// OfflineUpdatesConfirm saves the rows a preview accepted (as drafts, or
// submitted with action=submit) and goes back to the update grid; if
// anything changed since the preview, nothing is saved and the new
// preview is shown (409).
func (h *Handler) OfflineUpdatesConfirm(c echo.Context) error {
	return h.offlineUploadConfirm(c, updatesUpload)
}

// parseUpdates reads an uploaded template of activity updates of the
// request's plan.
func (h *Handler) parseUpdates(c echo.Context, data []byte) (*offline.UpdatesFile, error) {
	file, err := offline.ParseUpdates(data, h.Keys, h.offlineLimits())
	if err != nil {
		return nil, err
	}
	if file.Plan != c.Param("plan") {
		return nil, wrongPlan(file.Plan)
	}
	return file, nil
}

// offlineUpdatesRead parses an upload of activity updates and previews it
// for the request's user.
func (h *Handler) offlineUpdatesRead(c echo.Context, data []byte) (*offlinePreview, error) {
	file, err := h.parseUpdates(c, data)
	if err != nil {
		return nil, err
	}
	who := PrincipalOf(c)
	pv, err := offline.MakeUpdatesPreview(c.Request().Context(), h.DB, domain.ScopeOf(&who.User), file, h.Now().UTC())
	if err != nil {
		return nil, err
	}
	l := h.Localizer(c)
	out := &offlinePreview{counter: pv, Org: pv.Org.Acronym, Periods: file.From, Generated: file.Generated, PeriodColumn: true, Expect: pv.Keys(offline.WillSave)}
	if file.To != file.From {
		out.Periods += "–" + file.To
	}
	for _, r := range pv.Rows {
		v := offlineRowView{Status: r.Status, Code: r.Code, Name: r.Title, Period: r.Period,
			Typed: offline.ProgressLine(l, r.Typed.Progress, r.Typed.PercentComplete), Messages: offline.Messages(l, r.Errors)}
		if r.Stored != nil {
			v.Stored = offline.ProgressLine(l, r.Stored.Progress, r.Stored.PercentComplete)
		}
		if r.Status == offline.Conflict {
			v.Conflict = l.T("offline.updates.preview.conflict", r.ChangedBy, l.DateTime(r.Stored.UpdatedAt))
		}
		out.Rows = append(out.Rows, v)
	}
	return out, nil
}
