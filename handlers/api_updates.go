package handlers

import (
	"net/http"

	"naptracker/domain"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// updateJSON is an activity update as the API shows it.
type updateJSON struct {
	Activity string `json:"activity"`
	Period   string `json:"period"`
	updateContentJSON
	workflowJSON
}

// updateContentJSON is what an update reports (domain.UpdateContent) with
// the API's names, in the answer and in the body of a PUT.
type updateContentJSON struct {
	Progress        string  `json:"progress"`
	PercentComplete int     `json:"percent_complete"`
	Achievements    string  `json:"achievements"`
	Challenges      string  `json:"challenges"`
	NextSteps       string  `json:"next_steps"`
	Expenditure     float64 `json:"expenditure"`
}

func toUpdateJSON(activity, period string, u *domain.ActivityUpdate) updateJSON {
	return updateJSON{Activity: activity, Period: period, updateContentJSON: updateContentJSON(u.UpdateContent), workflowJSON: toWorkflowJSON(u.Workflow)}
}

// updateBody is the body of PUT …/activities/{code}/updates/{period}.
type updateBody struct {
	updateContentJSON
	Version *int `json:"version"`
}

// APIPutUpdate saves the lead organisation's update on an activity as a draft.
func (h *Handler) APIPutUpdate(c echo.Context) error {
	var body updateBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return &domain.ValidationError{Fields: map[string]string{"version": "Send the version you read (0 for a new update)."}}
	}
	in := reporting.UpdateInput{UpdateContent: domain.UpdateContent(body.updateContentJSON), Version: *body.Version}
	u, err := reporting.SaveUpdate(c.Request().Context(), h.DB, h.caller(c), updateTarget(c), in)
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.JSON(http.StatusOK, toUpdateJSON(c.Param("code"), c.Param("period"), u))
}

// APITransitionUpdate submits, approves, returns or reopens an activity update.
func (h *Handler) APITransitionUpdate(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return h.apiTransition(c, func(caller domain.Caller, version int, comment string) (any, error) {
			u, err := reporting.TransitionUpdate(c.Request().Context(), h.DB, caller, updateTarget(c), action, version, comment)
			if err != nil {
				return nil, err
			}
			return toUpdateJSON(c.Param("code"), c.Param("period"), u), nil
		})
	}
}
