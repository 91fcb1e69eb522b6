package handlers

import (
	"net/http"
	"time"

	"naptracker/domain"
	"naptracker/offline"

	"github.com/labstack/echo/v4"
)

// offlineRowJSON is one row of an import preview in the API.
type offlineRowJSON struct {
	Code          string             `json:"code"`
	Period        string             `json:"period"`
	Status        string             `json:"status"`
	Typed         figureJSON         `json:"typed"`
	Stored        figureJSON         `json:"stored"`
	StoredVersion int                `json:"stored_version,omitempty"`
	ChangedBy     string             `json:"changed_by,omitempty"`
	ChangedAt     *time.Time         `json:"changed_at,omitempty"`
	Errors        []offlineErrorJSON `json:"errors,omitempty"`
}

type offlineErrorJSON struct {
	Cell    string `json:"cell"`
	Message string `json:"message"`
}

// figureJSON is a number as the reader may see it: the value, or
// suppressed (a small count shown as "<5" elsewhere).
type figureJSON struct {
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// offlineImportJSON is the answer of the import endpoint.
type offlineImportJSON struct {
	Plan         string           `json:"plan"`
	Organisation string           `json:"organisation"`
	Period       string           `json:"period"`
	SHA256       string           `json:"sha256"`
	Applied      bool             `json:"applied"`
	Saved        []string         `json:"saved"`
	Submitted    []string         `json:"submitted"`
	Rows         []offlineRowJSON `json:"rows"`
}

// APIOfflineImport reads a filled offline template (the request body, or
// the "file" field of a multipart form) and answers its preview; with
// apply=true it saves the accepted rows in one transaction (submit=true
// submits them), with expect=CODE,… (CODE@PERIOD,… for a template of a
// range) refusing (409) if the rows that would be saved are no longer those.
func (h *Handler) APIOfflineImport(c echo.Context) error {
	l := h.Localizer(c)
	data, name, err := h.uploadedTemplate(c)
	if err != nil {
		return h.apiRefused(c, err)
	}
	file, err := h.parseValues(c, data)
	if err != nil {
		return h.apiRefused(c, err)
	}
	who := PrincipalOf(c)
	scope := domain.ScopeOf(&who.User)
	out := offlineImportJSON{SHA256: file.SHA256, Saved: []string{}, Submitted: []string{}}
	var p *offline.Preview
	if c.QueryParam("apply") == "true" {
		o := offline.ApplyOptions{Submit: c.QueryParam("submit") == "true", FileName: name}
		if e, ok := c.QueryParams()["expect"]; ok {
			o.Expect = splitList(e)
		}
		res, err := offline.Apply(c.Request().Context(), h.DB, h.actor(c), scope, file, o, h.Now().UTC())
		if err != nil {
			return h.apiRefused(c, err)
		}
		p, out.Applied = res.Preview, true
		out.Saved = append(out.Saved, res.Saved...)
		out.Submitted = append(out.Submitted, res.Submitted...)
	} else if p, err = offline.MakePreview(c.Request().Context(), h.DB, scope, file, h.Now().UTC()); err != nil {
		return h.apiRefused(c, err)
	}
	out.Plan, out.Organisation, out.Period = p.Plan.Code, p.Org.Acronym, file.Period
	for _, r := range p.Rows {
		row := offlineRowJSON{Code: r.Code, Period: r.Period, Status: r.Status, Typed: figureJSON{Value: r.Typed.Value},
			Stored: figureJSON{Value: r.Stored.Value, Suppressed: r.Stored.Hidden()}}
		if r.Status == offline.Conflict {
			row.StoredVersion, row.ChangedBy = r.StoredVersion, r.ChangedBy
			at := r.ChangedAt
			row.ChangedAt = &at
		}
		for _, e := range r.Errors {
			row.Errors = append(row.Errors, offlineErrorJSON{Cell: e.Cell, Message: e.Msg.Translate(l.T)})
		}
		out.Rows = append(out.Rows, row)
	}
	return c.JSON(http.StatusOK, out)
}

// splitList reads a repeated or comma-separated query parameter.
func splitList(values []string) []string {
	out := []string{}
	for _, v := range values {
		for _, s := range splitComma(v) {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// apiRefused answers a refused file as the API's JSON error, with the
// message in the caller's language; other errors go to the error handler.
func (h *Handler) apiRefused(c echo.Context, err error) error {
	r, ok := offline.AsRefusal(err)
	if !ok {
		return err
	}
	if r.Kind == offline.KindForbidden {
		who := PrincipalOf(c)
		h.security(c, "access.denied", &who.User.ID, map[string]any{"role": who.User.Role, "object": c.Request().URL.Path})
	}
	return c.JSON(RefusalStatus(r), map[string]any{"error": map[string]any{
		"code": r.Kind, "message": r.Msg.Translate(h.Localizer(c).T), "fields": map[string]string{"file": r.Msg.Translate(h.Localizer(c).T)},
	}})
}

// offlineUpdateRowJSON is one row of an updates import preview in the API.
type offlineUpdateRowJSON struct {
	Activity  string             `json:"activity"`
	Period    string             `json:"period"`
	Status    string             `json:"status"`
	Typed     updateBody         `json:"typed"`
	Stored    *updateJSON        `json:"stored,omitempty"`
	ChangedBy string             `json:"changed_by,omitempty"`
	ChangedAt *time.Time         `json:"changed_at,omitempty"`
	Errors    []offlineErrorJSON `json:"errors,omitempty"`
}

// offlineUpdatesImportJSON is the answer of the updates import endpoint;
// Saved and Submitted list activity@period keys.
type offlineUpdatesImportJSON struct {
	Plan         string                 `json:"plan"`
	Organisation string                 `json:"organisation"`
	From         string                 `json:"from"`
	To           string                 `json:"to"`
	SHA256       string                 `json:"sha256"`
	Applied      bool                   `json:"applied"`
	Saved        []string               `json:"saved"`
	Submitted    []string               `json:"submitted"`
	Rows         []offlineUpdateRowJSON `json:"rows"`
}

// APIOfflineUpdatesImport is APIOfflineImport for a template of activity
// updates: the preview, and with apply=true the accepted rows saved in one
// transaction (submit=true submits them; expect=ACTIVITY@PERIOD,… refuses
// with 409 when the rows to save are no longer those).
func (h *Handler) APIOfflineUpdatesImport(c echo.Context) error {
	l := h.Localizer(c)
	data, name, err := h.uploadedTemplate(c)
	if err != nil {
		return h.apiRefused(c, err)
	}
	file, err := h.parseUpdates(c, data)
	if err != nil {
		return h.apiRefused(c, err)
	}
	who := PrincipalOf(c)
	scope := domain.ScopeOf(&who.User)
	out := offlineUpdatesImportJSON{SHA256: file.SHA256, From: file.From, To: file.To, Saved: []string{}, Submitted: []string{}, Rows: []offlineUpdateRowJSON{}}
	var p *offline.UpdatesPreview
	if c.QueryParam("apply") == "true" {
		o := offline.ApplyOptions{Submit: c.QueryParam("submit") == "true", FileName: name}
		if e, ok := c.QueryParams()["expect"]; ok {
			o.Expect = splitList(e)
		}
		res, err := offline.ApplyUpdates(c.Request().Context(), h.DB, h.actor(c), scope, file, o, h.Now().UTC())
		if err != nil {
			return h.apiRefused(c, err)
		}
		p, out.Applied = res.UpdatesPreview, true
		out.Saved = append(out.Saved, res.Saved...)
		out.Submitted = append(out.Submitted, res.Submitted...)
	} else if p, err = offline.MakeUpdatesPreview(c.Request().Context(), h.DB, scope, file, h.Now().UTC()); err != nil {
		return h.apiRefused(c, err)
	}
	out.Plan, out.Organisation = p.Plan.Code, p.Org.Acronym
	for _, r := range p.Rows {
		in := r.Typed
		version := in.Version
		row := offlineUpdateRowJSON{Activity: r.Code, Period: r.Period, Status: r.Status, Typed: updateBody{updateContentJSON: updateContentJSON(in.UpdateContent), Version: &version}}
		if u := r.Stored; u != nil {
			stored := toUpdateJSON(r.Code, r.Period, u)
			row.Stored = &stored
			if r.Status == offline.Conflict {
				at := u.UpdatedAt
				row.ChangedBy, row.ChangedAt = r.ChangedBy, &at
			}
		}
		for _, e := range r.Errors {
			row.Errors = append(row.Errors, offlineErrorJSON{Cell: e.Cell, Message: e.Msg.Translate(l.T)})
		}
		out.Rows = append(out.Rows, row)
	}
	return c.JSON(http.StatusOK, out)
}
