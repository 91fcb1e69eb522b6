package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// valueJSON is an indicator value as the API shows it.
type valueJSON struct {
	Indicator string   `json:"indicator"`
	Period    string   `json:"period"`
	Value     *float64 `json:"value"`
	// Suppressed: the value is hidden from the caller (a small count of
	// victims, or a figure that would reveal one); Small: it is 1 to 4.
	Suppressed     bool               `json:"suppressed,omitempty"`
	Small          bool               `json:"small,omitempty"`
	TextValue      string             `json:"text_value,omitempty"`
	Disaggregation map[string]float64 `json:"disaggregation,omitempty"`
	// DisaggregationSuppressed: the breakdown is hidden from the caller.
	DisaggregationSuppressed bool   `json:"disaggregation_suppressed,omitempty"`
	Narrative                string `json:"narrative"`
	workflowJSON
}

// workflowJSON is where a value or an update stands in the workflow, as
// the API shows it (the same fields, last, in both).
type workflowJSON struct {
	Status        string     `json:"status"`
	Version       int        `json:"version"`
	SubmittedAt   *time.Time `json:"submitted_at,omitempty"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	ReturnComment string     `json:"return_comment,omitempty"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// toWorkflowJSON shows w; the return comment only while it is returned.
func toWorkflowJSON(w domain.Workflow) workflowJSON {
	out := workflowJSON{Status: w.Status, Version: w.Version, SubmittedAt: w.SubmittedAt, ApprovedAt: w.ApprovedAt, UpdatedAt: w.UpdatedAt}
	if w.Status == domain.StatusReturned {
		out.ReturnComment = w.ReturnComment
	}
	return out
}

func toValueJSON(indicator, period string, v *domain.IndicatorValue) valueJSON {
	out := valueJSON{
		Indicator: indicator, Period: period, Value: v.Value, TextValue: v.TextValue, Narrative: v.Narrative,
		workflowJSON: toWorkflowJSON(v.Workflow),
	}
	if len(v.Breakdown) > 0 {
		out.Disaggregation = map[string]float64{}
		for _, b := range v.Breakdown {
			out.Disaggregation[b.Cell] = b.Value
		}
	}
	return out
}

// disclose hides from v what the audience may not see of a sensitive
// indicator's value and breakdown (figures.Disclose): hidden numbers are
// replaced by "suppressed": true, never sent, and so is the narrative.
func disclose(v *valueJSON, sensitive bool, aud figures.Audience) {
	cells := make([]float64, 0, len(v.Disaggregation))
	names := make([]string, 0, len(v.Disaggregation))
	for name, x := range v.Disaggregation {
		names, cells = append(names, name), append(cells, x)
	}
	if len(names) == 0 {
		cells = nil
	}
	total, shown := figures.Disclose(sensitive, aud, v.Value, cells, false)
	v.Value, v.Small, v.Suppressed = total.Value, total.Small, total.Hidden()
	for i, f := range shown {
		if f.Hidden() {
			v.Disaggregation, v.DisaggregationSuppressed = nil, true
			break
		}
		v.Disaggregation[names[i]] = *f.Value
	}
	if v.Suppressed || v.DisaggregationSuppressed {
		// Free text about a protected count may well state it.
		v.Narrative = ""
	}
}

// valueTarget reads the plan, indicator code and period of a value route.
func valueTarget(c echo.Context) reporting.ValueTarget {
	return reporting.ValueTarget{Plan: c.Param("plan"), Indicator: c.Param("code"), Period: c.Param("period")}
}

// valueBody is the body of PUT …/values/{period}.
type valueBody struct {
	Value          localNumber        `json:"value"`
	TextValue      string             `json:"text_value"`
	Disaggregation map[string]float64 `json:"disaggregation"`
	Narrative      string             `json:"narrative"`
	Version        *int               `json:"version"`
	Reason         string             `json:"reason"`
}

// localNumber is a number in a JSON body: a JSON number, or a string as the
// caller writes it in their interface language ("62,5" in French).
type localNumber struct {
	num  *float64
	text *string
}

// UnmarshalJSON keeps a number as it is and a string for reading later, in
// the caller's language.
func (n *localNumber) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		n.text = new(string)
		return json.Unmarshal(b, n.text)
	}
	n.num = new(float64)
	return json.Unmarshal(b, n.num)
}

// read gives the number, reading a string in lang; on failure the message
// key to show on the field.
func (n localNumber) read(lang string) (*float64, string) {
	if n.text == nil || strings.TrimSpace(*n.text) == "" {
		return n.num, ""
	}
	x, bad := parseNumber(lang, *n.text)
	if bad != "" {
		return nil, bad
	}
	return &x, ""
}

// decodeJSON reads a JSON body strictly: unknown fields and trailing data are errors.
func decodeJSON(c echo.Context, dst any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &domain.ValidationError{Fields: map[string]string{"body": "Send a JSON object with the documented fields: " + strings.TrimPrefix(err.Error(), "json: ")}}
	}
	if dec.More() {
		return &domain.ValidationError{Fields: map[string]string{"body": "Send a single JSON object."}}
	}
	return nil
}

// APIPutValue saves a value as a draft: PUT /api/v1/plans/{plan}/indicators/{code}/values/{period}
// with {"value", "disaggregation", "narrative", "version"}; version is the
// one the client read (0 for a new value) and is required.
func (h *Handler) APIPutValue(c echo.Context) error {
	var body valueBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return &domain.ValidationError{Fields: map[string]string{"version": "Send the version you read (0 for a new value)."}}
	}
	l := h.Localizer(c)
	value, bad := body.Value.read(l.Lang)
	if bad != "" {
		return &domain.ValidationError{Fields: map[string]string{"value": l.T(bad)}}
	}
	in := reporting.ValueInput{Value: value, TextValue: body.TextValue, Disaggregation: body.Disaggregation, Narrative: body.Narrative, Version: *body.Version, Reason: body.Reason}
	v, err := reporting.SaveValue(c.Request().Context(), h.DB, h.caller(c), valueTarget(c), in)
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.JSON(http.StatusOK, toValueJSON(c.Param("code"), c.Param("period"), v))
}

// transitionBody is the body of the submit, approve and return actions.
type transitionBody struct {
	Version *int   `json:"version"`
	Comment string `json:"comment"`
}

// APITransitionValue submits, approves or returns a value:
// POST …/values/{period}/submit|approve|return with {"version", "comment"}.
func (h *Handler) APITransitionValue(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return h.apiTransition(c, func(caller domain.Caller, version int, comment string) (any, error) {
			v, err := reporting.TransitionValue(c.Request().Context(), h.DB, caller, valueTarget(c), action, version, comment)
			if err != nil {
				return nil, err
			}
			return toValueJSON(c.Param("code"), c.Param("period"), v), nil
		})
	}
}

// apiTransition reads the body of a workflow action, {"version", "comment"},
// runs the move for the caller and answers with what it returns.
func (h *Handler) apiTransition(c echo.Context, move func(caller domain.Caller, version int, comment string) (any, error)) error {
	var body transitionBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return &domain.ValidationError{Fields: map[string]string{"version": "Send the version you read."}}
	}
	out, err := move(h.caller(c), *body.Version, body.Comment)
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.JSON(http.StatusOK, out)
}

// APIValues lists the values of a period that the caller may see:
// GET /api/v1/plans/{plan}/values?period=P. Donors and facilitators get
// approved values only; focal points also their own organisation's drafts.
func (h *Handler) APIValues(c echo.Context) error {
	period := c.QueryParam("period")
	if period == "" {
		return &domain.ValidationError{Fields: map[string]string{"period": "Name the period, for example ?period=2024-Q1."}}
	}
	scope := h.caller(c).Scope
	rows, err := reporting.PeriodValues(c.Request().Context(), h.DB, scope, c.Param("plan"), period)
	if err != nil {
		return err
	}
	out := make([]valueJSON, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		v := toValueJSON(r.IndicatorCode, period, &r.IndicatorValue)
		disclose(&v, r.Sensitive, scope.AudienceFor(r.ReportingOrgID))
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"period": period, "values": out})
}

// denyLogged records refused object-level access in the security log before
// passing the error on.
func (h *Handler) denyLogged(c echo.Context, err error) error {
	if errors.Is(err, domain.ErrForbidden) || errors.Is(err, reporting.ErrEvidenceHidden) {
		who := PrincipalOf(c)
		h.security(c, "access.denied", &who.User.ID, map[string]any{"role": who.User.Role, "object": c.Request().URL.Path})
	}
	return err
}
