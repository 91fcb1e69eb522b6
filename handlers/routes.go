package handlers

import (
	"net/http"

	"naptracker/domain"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// Route is one entry of the route table: the address, the handler and who
// may use it. Every route the application serves is listed in Routes, so the
// access rules can be read, and tested, in one place.
type Route struct {
	Method string
	Path   string
	// Public routes need no sign-in.
	Public bool
	// Roles lists the roles allowed; a route that is not public and lists
	// no role is reachable by nobody.
	Roles []string
	// BeforeMFA lets a session that still owes its second factor use the
	// route (signing out, entering the code, enrolling).
	BeforeMFA bool
	Handler   echo.HandlerFunc
}

// Role groups used in the table.
var (
	everyone  = []string{domain.RoleAdmin, domain.RoleSecretariat, domain.RoleFocalPoint, domain.RoleDonor, domain.RoleFacilitator}
	managers  = []string{domain.RoleAdmin, domain.RoleSecretariat}
	reporters = []string{domain.RoleAdmin, domain.RoleSecretariat, domain.RoleFocalPoint}
	// deciders record workshop decisions (see models.Scope.CanRecordDecisions).
	deciders = []string{domain.RoleAdmin, domain.RoleSecretariat, domain.RoleFacilitator}
)

// Routes returns the route table.
func (h *Handler) Routes() []Route {
	get, post, put := http.MethodGet, http.MethodPost, http.MethodPut
	return []Route{
		{Method: get, Path: "/healthz", Public: true, Handler: h.Healthz},
		{Method: get, Path: "/readyz", Public: true, Handler: h.Readyz},

		// Signing in and out.
		{Method: get, Path: "/login", Public: true, Handler: h.LoginForm},
		{Method: post, Path: "/login", Public: true, Handler: h.Login},
		{Method: post, Path: "/logout", Roles: everyone, BeforeMFA: true, Handler: h.Logout},

		// The plan.
		{Method: get, Path: "/", Roles: everyone, Handler: h.Home},
		{Method: get, Path: "/plans/:plan", Roles: everyone, Handler: h.ShowPlan},

		// Reporting values: focal points of the reporting organisation and the
		// secretariat; the object-level rule (which organisation) is in models.Scope.
		{Method: get, Path: "/plans/:plan/indicators/:code/values/:period", Roles: reporters, Handler: h.ValueForm},
		{Method: post, Path: "/plans/:plan/indicators/:code/values/:period", Roles: reporters, Handler: h.SaveValueForm},
		{Method: post, Path: "/plans/:plan/indicators/:code/values/:period/withdraw", Roles: reporters, Handler: h.WithdrawValue},
		{Method: post, Path: "/plans/:plan/indicators/:code/values/:period/reopen", Roles: managers, Handler: h.ReopenValue},
		{Method: post, Path: "/plans/:plan/activities/:code/updates/:period/reopen", Roles: managers, Handler: h.ReopenUpdate},
		// The data-entry grid: every value an organisation owes for a period.
		{Method: get, Path: "/plans/:plan/organisations/:org/values/:period", Roles: reporters, Handler: h.ValueGrid},
		{Method: post, Path: "/plans/:plan/organisations/:org/values/:period", Roles: reporters, Handler: h.SaveValueGrid},
		{Method: get, Path: "/plans/:plan/organisations/:org/updates", Roles: reporters, Handler: h.UpdateGrid},
		{Method: post, Path: "/plans/:plan/organisations/:org/updates", Roles: reporters, Handler: h.SaveUpdateGrid},
		// The offline template of the grid, and its upload (preview, then confirm).
		{Method: get, Path: "/plans/:plan/organisations/:org/values/:period/template.xlsx", Roles: reporters, Handler: h.OfflineTemplate},
		{Method: get, Path: "/api/v1/plans/:plan/organisations/:org/values/:period/template.xlsx", Roles: reporters, Handler: h.OfflineTemplate},
		{Method: get, Path: "/plans/:plan/organisations/:org/template.xlsx", Roles: reporters, Handler: h.OfflineRangeTemplate},
		{Method: get, Path: "/plans/:plan/import/values", Roles: reporters, Handler: h.OfflineUploadForm},
		{Method: post, Path: "/plans/:plan/import/values", Roles: reporters, Handler: h.OfflinePreview},
		{Method: post, Path: "/plans/:plan/import/values/confirm", Roles: reporters, Handler: h.OfflineConfirm},
		{Method: post, Path: "/api/v1/plans/:plan/values/import", Roles: reporters, Handler: h.APIOfflineImport},
		// The offline template of activity updates (a period or a range), and its upload.
		{Method: get, Path: "/plans/:plan/organisations/:org/updates/template.xlsx", Roles: reporters, Handler: h.OfflineUpdatesTemplate},
		{Method: get, Path: "/api/v1/plans/:plan/organisations/:org/updates/template.xlsx", Roles: reporters, Handler: h.OfflineUpdatesTemplate},
		{Method: get, Path: "/plans/:plan/import/updates", Roles: reporters, Handler: h.OfflineUpdatesUploadForm},
		{Method: post, Path: "/plans/:plan/import/updates", Roles: reporters, Handler: h.OfflineUpdatesPreview},
		{Method: post, Path: "/plans/:plan/import/updates/confirm", Roles: reporters, Handler: h.OfflineUpdatesConfirm},
		{Method: post, Path: "/api/v1/plans/:plan/updates/import", Roles: reporters, Handler: h.APIOfflineUpdatesImport},
		{Method: get, Path: "/api/v1/plans/:plan/values", Roles: everyone, Handler: h.APIValues},
		{Method: get, Path: "/api/v1/plans/:plan/figures", Roles: everyone, Handler: h.APIFigures},
		{Method: put, Path: "/api/v1/plans/:plan/indicators/:code/values/:period", Roles: reporters, Handler: h.APIPutValue},
		{Method: post, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/submit", Roles: reporters, Handler: h.APITransitionValue(reporting.ActionSubmit)},
		{Method: post, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/withdraw", Roles: reporters, Handler: h.APITransitionValue(reporting.ActionWithdraw)},
		{Method: post, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/approve", Roles: managers, Handler: h.APITransitionValue(reporting.ActionApprove)},
		{Method: post, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/return", Roles: managers, Handler: h.APITransitionValue(reporting.ActionReturn)},

		// Own account: sessions.
		{Method: get, Path: "/account", Roles: everyone, Handler: h.Account},
		{Method: post, Path: "/account/sessions/:id/end", Roles: everyone, Handler: h.EndOwnSession},

		// --- reporting: activity updates, my reporting, validation queue ---
		{Method: get, Path: "/plans/:plan/reporting", Roles: reporters, Handler: h.MyReporting},
		{Method: get, Path: "/plans/:plan/activities/:code/updates/:period", Roles: reporters, Handler: h.UpdateForm},
		{Method: post, Path: "/plans/:plan/activities/:code/updates/:period", Roles: reporters, Handler: h.SaveUpdateForm},
		{Method: put, Path: "/api/v1/plans/:plan/activities/:code/updates/:period", Roles: reporters, Handler: h.APIPutUpdate},
		{Method: post, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/submit", Roles: reporters, Handler: h.APITransitionUpdate(reporting.ActionSubmit)},
		{Method: post, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/withdraw", Roles: reporters, Handler: h.APITransitionUpdate(reporting.ActionWithdraw)},
		{Method: post, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/approve", Roles: managers, Handler: h.APITransitionUpdate(reporting.ActionApprove)},
		{Method: post, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/return", Roles: managers, Handler: h.APITransitionUpdate(reporting.ActionReturn)},
		{Method: post, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/reopen", Roles: managers, Handler: h.APITransitionUpdate(reporting.ActionReopen)},
		{Method: post, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/reopen", Roles: managers, Handler: h.APITransitionValue(reporting.ActionReopen)},
		{Method: get, Path: "/plans/:plan/queue", Roles: managers, Handler: h.Queue},
		{Method: get, Path: "/plans/:plan/queue.csv", Roles: managers, Handler: h.QueueCSV},
		// Every indicator's figures for a period or range, as CSV (the API figures' filters and disclosure).
		{Method: get, Path: "/plans/:plan/figures.csv", Roles: everyone, Handler: h.FiguresCSV},
		{Method: post, Path: "/plans/:plan/queue", Roles: managers, Handler: h.QueueAction},
		{Method: post, Path: "/plans/:plan/indicators/:code/values/:period/comments", Roles: reporters, Handler: h.AddValueComment},
		// --- end reporting ---

		// --- evidence files ---
		// Uploading and removing: those who report the item (the object-level
		// rule, and that only the uploader removes, is in models). Downloading
		// and listing: every role, then models.Scope.SeesEvidence decides (the
		// figure's own scope; for sensitive indicators only the reporting
		// organisation, the secretariat and administrators).
		{Method: post, Path: "/plans/:plan/indicators/:code/values/:period/evidence", Roles: reporters, Handler: h.UploadEvidence(valueEvidence)},
		{Method: get, Path: "/plans/:plan/indicators/:code/values/:period/evidence/:id", Roles: everyone, Handler: h.DownloadEvidence(valueEvidence)},
		{Method: post, Path: "/plans/:plan/indicators/:code/values/:period/evidence/:id/delete", Roles: reporters, Handler: h.RemoveEvidence(valueEvidence)},
		{Method: post, Path: "/plans/:plan/activities/:code/updates/:period/evidence", Roles: reporters, Handler: h.UploadEvidence(updateEvidence)},
		{Method: get, Path: "/plans/:plan/activities/:code/updates/:period/evidence/:id", Roles: everyone, Handler: h.DownloadEvidence(updateEvidence)},
		{Method: post, Path: "/plans/:plan/activities/:code/updates/:period/evidence/:id/delete", Roles: reporters, Handler: h.RemoveEvidence(updateEvidence)},
		{Method: get, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/evidence", Roles: everyone, Handler: h.APIEvidence(valueEvidence)},
		{Method: post, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/evidence", Roles: reporters, Handler: h.APIUploadEvidence(valueEvidence)},
		{Method: get, Path: "/api/v1/plans/:plan/indicators/:code/values/:period/evidence/:id", Roles: everyone, Handler: h.DownloadEvidence(valueEvidence)},
		{Method: get, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/evidence", Roles: everyone, Handler: h.APIEvidence(updateEvidence)},
		{Method: post, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/evidence", Roles: reporters, Handler: h.APIUploadEvidence(updateEvidence)},
		{Method: get, Path: "/api/v1/plans/:plan/activities/:code/updates/:period/evidence/:id", Roles: everyone, Handler: h.DownloadEvidence(updateEvidence)},
		// --- end evidence files ---

		// --- plan editing ---
		{Method: get, Path: "/plans/new", Roles: managers, Handler: h.NewPlanForm},
		{Method: post, Path: "/plans", Roles: managers, Handler: h.CreatePlan},
		{Method: get, Path: "/plans/:plan/edit", Roles: managers, Handler: h.EditPlanHome},
		{Method: get, Path: "/plans/:plan/disaggregations", Roles: managers, Handler: h.EditCategories},
		{Method: post, Path: "/plans/:plan/disaggregations", Roles: managers, Handler: h.SaveCategories},
		{Method: get, Path: "/plans/:plan/settings", Roles: managers, Handler: h.PlanSettingsForm},
		{Method: post, Path: "/plans/:plan/settings", Roles: managers, Handler: h.UpdatePlanSettings},
		{Method: get, Path: "/plans/:plan/pillars/new", Roles: managers, Handler: h.NewPillarForm},
		{Method: post, Path: "/plans/:plan/pillars", Roles: managers, Handler: h.CreatePillar},
		{Method: get, Path: "/plans/:plan/pillars/:code/edit", Roles: managers, Handler: h.EditNodeForm("pillar")},
		{Method: post, Path: "/plans/:plan/pillars/:code", Roles: managers, Handler: h.UpdateNode("pillar")},
		{Method: get, Path: "/plans/:plan/pillars/:code/objectives/new", Roles: managers, Handler: h.NewObjectiveForm},
		{Method: post, Path: "/plans/:plan/pillars/:code/objectives", Roles: managers, Handler: h.CreateObjective},
		{Method: get, Path: "/plans/:plan/objectives/:code/edit", Roles: managers, Handler: h.EditNodeForm("objective")},
		{Method: post, Path: "/plans/:plan/objectives/:code", Roles: managers, Handler: h.UpdateNode("objective")},
		{Method: get, Path: "/plans/:plan/objectives/:code/activities/new", Roles: managers, Handler: h.NewActivityForm},
		{Method: post, Path: "/plans/:plan/objectives/:code/activities", Roles: managers, Handler: h.CreateActivity},
		{Method: get, Path: "/plans/:plan/objectives/:code/indicators/new", Roles: managers, Handler: h.NewIndicatorForm("objective")},
		{Method: post, Path: "/plans/:plan/objectives/:code/indicators", Roles: managers, Handler: h.CreateIndicator("objective")},
		{Method: get, Path: "/plans/:plan/activities/:code/edit", Roles: managers, Handler: h.EditActivityForm},
		{Method: post, Path: "/plans/:plan/activities/:code", Roles: managers, Handler: h.UpdateActivity},
		{Method: get, Path: "/plans/:plan/activities/:code/indicators/new", Roles: managers, Handler: h.NewIndicatorForm("activity")},
		{Method: post, Path: "/plans/:plan/activities/:code/indicators", Roles: managers, Handler: h.CreateIndicator("activity")},
		{Method: post, Path: "/plans/:plan/activities/:code/funding", Roles: managers, Handler: h.CreateFunding},
		{Method: post, Path: "/plans/:plan/activities/:code/funding/:id", Roles: managers, Handler: h.UpdateFunding},
		{Method: post, Path: "/plans/:plan/activities/:code/funding/:id/delete", Roles: managers, Handler: h.DeleteFunding},
		{Method: get, Path: "/plans/:plan/indicators/:code/edit", Roles: managers, Handler: h.EditIndicatorForm},
		{Method: post, Path: "/plans/:plan/indicators/:code", Roles: managers, Handler: h.UpdateIndicator},
		{Method: post, Path: "/plans/:plan/pillars/:code/delete", Roles: managers, Handler: h.ItemLifecycle("pillar", opDelete)},
		{Method: post, Path: "/plans/:plan/pillars/:code/archive", Roles: managers, Handler: h.ItemLifecycle("pillar", opArchive)},
		{Method: post, Path: "/plans/:plan/pillars/:code/unarchive", Roles: managers, Handler: h.ItemLifecycle("pillar", opUnarchive)},
		{Method: post, Path: "/plans/:plan/objectives/:code/delete", Roles: managers, Handler: h.ItemLifecycle("objective", opDelete)},
		{Method: post, Path: "/plans/:plan/objectives/:code/archive", Roles: managers, Handler: h.ItemLifecycle("objective", opArchive)},
		{Method: post, Path: "/plans/:plan/objectives/:code/unarchive", Roles: managers, Handler: h.ItemLifecycle("objective", opUnarchive)},
		{Method: post, Path: "/plans/:plan/activities/:code/delete", Roles: managers, Handler: h.ItemLifecycle("activity", opDelete)},
		{Method: post, Path: "/plans/:plan/activities/:code/archive", Roles: managers, Handler: h.ItemLifecycle("activity", opArchive)},
		{Method: post, Path: "/plans/:plan/activities/:code/unarchive", Roles: managers, Handler: h.ItemLifecycle("activity", opUnarchive)},
		{Method: post, Path: "/plans/:plan/indicators/:code/delete", Roles: managers, Handler: h.ItemLifecycle("indicator", opDelete)},
		{Method: post, Path: "/plans/:plan/indicators/:code/archive", Roles: managers, Handler: h.ItemLifecycle("indicator", opArchive)},
		{Method: post, Path: "/plans/:plan/indicators/:code/unarchive", Roles: managers, Handler: h.ItemLifecycle("indicator", opUnarchive)},
		{Method: get, Path: "/plans/:plan/periods", Roles: managers, Handler: h.Periods},
		{Method: get, Path: "/plans/:plan/periods/:period", Roles: managers, Handler: h.PeriodForm},
		{Method: post, Path: "/plans/:plan/periods/:period", Roles: managers, Handler: h.UpdatePeriod},
		{Method: post, Path: "/plans/:plan/periods/:period/lock", Roles: managers, Handler: h.LockPeriod},
		{Method: post, Path: "/plans/:plan/periods/:period/exceptions", Roles: managers, Handler: h.GrantException},
		{Method: post, Path: "/plans/:plan/periods/:period/exceptions/:id/delete", Roles: managers, Handler: h.RemoveException},
		{Method: get, Path: "/organisations", Roles: managers, Handler: h.Organisations},
		{Method: get, Path: "/organisations/new", Roles: managers, Handler: h.NewOrganisationForm},
		{Method: post, Path: "/organisations", Roles: managers, Handler: h.CreateOrganisation},
		{Method: get, Path: "/organisations/:id", Roles: managers, Handler: h.OrganisationForm},
		{Method: post, Path: "/organisations/:id", Roles: managers, Handler: h.UpdateOrganisation},
		{Method: post, Path: "/organisations/:id/delete", Roles: managers, Handler: h.ItemLifecycle("organisation", opDelete)},
		{Method: post, Path: "/organisations/:id/archive", Roles: managers, Handler: h.ItemLifecycle("organisation", opArchive)},
		{Method: post, Path: "/organisations/:id/unarchive", Roles: managers, Handler: h.ItemLifecycle("organisation", opUnarchive)},
		// The whole plan as one workbook, and its import (dry run, then confirm).
		{Method: get, Path: "/plans/:plan/plan.xlsx", Roles: managers, Handler: h.PlanExport},
		{Method: get, Path: "/api/v1/plans/:plan/plan.xlsx", Roles: managers, Handler: h.PlanExport},
		{Method: get, Path: "/plans/import", Roles: managers, Handler: h.PlanImportForm},
		{Method: post, Path: "/plans/import", Roles: managers, Handler: h.PlanImportPreview},
		{Method: post, Path: "/plans/import/confirm", Roles: managers, Handler: h.PlanImportConfirm},
		{Method: post, Path: "/api/v1/plans/import", Roles: managers, Handler: h.APIPlanImport},
		// --- end plan editing ---

		// --- completeness, reminders, audit log ---
		{Method: get, Path: "/plans/:plan/completeness", Roles: managers, Handler: h.Completeness},
		{Method: get, Path: "/plans/:plan/completeness.csv", Roles: managers, Handler: h.CompletenessCSV},
		{Method: get, Path: "/plans/:plan/completeness/:org", Roles: managers, Handler: h.CompletenessOrg},
		{Method: get, Path: "/api/v1/plans/:plan/completeness", Roles: managers, Handler: h.APICompleteness},
		{Method: get, Path: "/reminders", Roles: managers, Handler: h.Reminders},
		{Method: get, Path: "/audit", Roles: managers, Handler: h.AuditLog},
		{Method: get, Path: "/audit.csv", Roles: managers, Handler: h.AuditCSV},
		// --- end completeness ---

		// --- second factor (TOTP, recovery codes) ---
		{Method: get, Path: "/login/2fa", Roles: everyone, BeforeMFA: true, Handler: h.LoginMFAForm},
		{Method: post, Path: "/login/2fa", Roles: everyone, BeforeMFA: true, Handler: h.LoginMFA},
		{Method: get, Path: "/account/2fa", Roles: everyone, BeforeMFA: true, Handler: h.MFASetup},
		{Method: post, Path: "/account/2fa", Roles: everyone, BeforeMFA: true, Handler: h.MFAConfirm},
		{Method: post, Path: "/account/2fa/disable", Roles: []string{domain.RoleFocalPoint, domain.RoleDonor, domain.RoleFacilitator}, Handler: h.MFADisable},
		{Method: post, Path: "/account/2fa/recovery-codes", Roles: everyone, Handler: h.MFARecoveryCodes},
		// --- end second factor ---

		// --- user management ---
		{Method: get, Path: "/users", Roles: managers, Handler: h.Users},
		{Method: get, Path: "/users/new", Roles: managers, Handler: h.NewUserForm},
		{Method: post, Path: "/users", Roles: managers, Handler: h.CreateUser},
		{Method: get, Path: "/users/:id", Roles: managers, Handler: h.ShowUser},
		{Method: post, Path: "/users/:id", Roles: managers, Handler: h.UpdateUser},
		{Method: post, Path: "/users/:id/disable", Roles: managers, Handler: h.DisableUser},
		{Method: post, Path: "/users/:id/enable", Roles: managers, Handler: h.EnableUser},
		{Method: post, Path: "/users/:id/password-link", Roles: managers, Handler: h.UserPasswordLink},
		{Method: post, Path: "/users/:id/sessions/end", Roles: []string{domain.RoleAdmin}, Handler: h.EndUserSessions},
		{Method: post, Path: "/users/:id/mfa-reset", Roles: []string{domain.RoleAdmin}, Handler: h.ResetUserMFA},
		// The token in the address authorises these two (no session, so no CSRF token).
		{Method: get, Path: "/set-password/:token", Public: true, Handler: h.SetPasswordForm},
		{Method: post, Path: "/set-password/:token", Public: true, Handler: h.SetPassword},
		{Method: get, Path: "/account/password", Roles: everyone, Handler: h.PasswordForm},
		{Method: post, Path: "/account/password", Roles: everyone, Handler: h.ChangePassword},
		// --- end user management ---

		// --- API tokens and the JSON API ---
		{Method: get, Path: "/account/tokens", Roles: everyone, Handler: h.Tokens},
		{Method: post, Path: "/account/tokens", Roles: everyone, Handler: h.CreateToken},
		{Method: post, Path: "/account/tokens/:id/revoke", Roles: everyone, Handler: h.RevokeToken},
		{Method: get, Path: "/api/v1/openapi.json", Public: true, Handler: h.OpenAPI},
		{Method: get, Path: "/api/v1/me", Roles: everyone, Handler: h.APIMe},
		{Method: get, Path: "/api/v1/plans", Roles: everyone, Handler: h.APIPlans},
		{Method: get, Path: "/api/v1/plans/:plan", Roles: everyone, Handler: h.APIPlan},
		{Method: get, Path: "/api/v1/plans/:plan/periods", Roles: everyone, Handler: h.APIPeriods},
		// --- end API ---

		// --- languages ---
		// Public: the sign-in page has the switcher too; SetLanguage checks a
		// session's CSRF token itself.
		{Method: post, Path: "/language", Public: true, Handler: h.SetLanguage},
		{Method: post, Path: "/account/language", Roles: everyone, Handler: h.SaveAccountLanguage},
		// --- end languages ---

		// --- indicator and organisation pages ---
		// Every role; what each sees (approved data only, small counts) is
		// decided in models by the caller's Scope.
		{Method: get, Path: "/plans/:plan/indicators/:code", Roles: everyone, Handler: h.ShowIndicator},
		{Method: get, Path: "/plans/:plan/organisations/:org", Roles: everyone, Handler: h.ShowOrganisation},
		{Method: get, Path: "/plans/:plan/activities/:code", Roles: everyone, Handler: h.ShowActivity},
		// --- end indicator and organisation pages ---

		// --- workshop presentation, review snapshots, decisions ---
		// Slides show approved data only, so every role may watch them; the
		// secretariat takes snapshots; the facilitator records decisions.
		{Method: get, Path: "/plans/:plan/present", Roles: everyone, Handler: h.Present},
		{Method: get, Path: "/plans/:plan/snapshots", Roles: everyone, Handler: h.Snapshots},
		{Method: post, Path: "/plans/:plan/snapshots", Roles: managers, Handler: h.CreateSnapshot},
		{Method: get, Path: "/plans/:plan/snapshots/:id/present", Roles: everyone, Handler: h.PresentSnapshot},
		{Method: post, Path: "/plans/:plan/decisions", Roles: deciders, Handler: h.CreateDecision},
		{Method: post, Path: "/plans/:plan/decisions/:id/done", Roles: deciders, Handler: h.DecisionDone},
		// The decisions as the plan and organisation pages list them, as CSV.
		{Method: get, Path: "/plans/:plan/decisions.csv", Roles: everyone, Handler: h.DecisionsCSV},
		// --- end workshop presentation ---

		// --- dashboard ---
		// Approved data only, the same figures for every role.
		{Method: get, Path: "/plans/:plan/dashboard", Roles: everyone, Handler: h.Dashboard},
		// --- end dashboard ---

		// --- workshop report ---
		{Method: get, Path: "/api/v1/plans/:plan/reports/workshop.xlsx", Roles: everyone, Handler: h.WorkshopReport},
		{Method: get, Path: "/plans/:plan/report.xlsx", Roles: everyone, Handler: h.WorkshopReport},
		{Method: get, Path: "/api/v1/plans/:plan/iati.xml", Roles: everyone, Handler: h.IATIExport},
		{Method: get, Path: "/plans/:plan/iati.xml", Roles: everyone, Handler: h.IATIExport},
		// --- end workshop report ---
	}
}

// Register adds every route of the table to e, each behind its guard.
func (h *Handler) Register(e *echo.Echo) {
	for _, r := range h.Routes() {
		e.Add(r.Method, r.Path, h.guard(r))
	}
}
