package models

import "fmt"

// englishMessages holds the English text of every catalogue key the models
// use in their messages. It is the source of
// handlers/i18n/locales/en/errors.json, and a test checks that the two agree;
// the French and Lao texts live only in the catalogues.
var englishMessages = map[string]string{
	// Shared by the editing forms.
	"err.required":             "This field is required.",
	"err.too_long":             "Keep this under %d characters.",
	"err.currency":             "Enter a three-letter currency code such as USD or LAK.",
	"err.code_prefix":          "The code must start with %s. followed by a number or letters, such as %s.",
	"err.code_reserved_number": "This word is reserved: use a number, such as %s.",
	"err.code_segment":         "Use a number or up to 8 letters and digits, such as %s.",
	"err.code_segment_under":   "After %s. use a number or up to 8 letters and digits, such as %s.",
	"err.code_used":            "The code %s is already used in this plan (perhaps by an archived item); the next free one is %s.",
	"err.code_taken":           "This code is already used in this plan.",
	"err.position":             "Enter a position from 0 to 9999.",
	"err.org_choose":           "Choose an organisation.",
	"err.org_offered":          "Choose one of the organisations offered.",
	"err.org_archived":         "%s is archived: choose an active organisation.",
	"err.join2":                "%s %s",
	"err.join3":                "%s %s %s",

	// Activities.
	"err.start_date":         "Enter the start date.",
	"err.end_date":           "Enter the end date.",
	"err.date_in_plan":       "The plan runs from %d to %d: choose a date within those years.",
	"err.end_before_start":   "The activity cannot end before it starts.",
	"err.lead_supporter":     "The lead organisation cannot also be a supporting organisation.",
	"err.supporters_list":    "Choose supporting organisations from the list.",
	"err.supporter_archived": "%s is archived: choose active organisations.",
	"err.budget":             "Enter a budget of zero or more.",

	// Figures (indicator targets and baselines, reported values).
	"err.number":       "Enter a number.",
	"err.percentage":   "Enter a percentage between 0 and 100.",
	"err.yes_no":       "Enter 1 (yes, achieved) or 0 (no, not yet).",
	"err.non_negative": "Enter zero or a positive number.",
	"err.too_large":    "This number is too large.",

	// Indicators.
	"err.unit_type":              "Choose one of the unit types offered.",
	"err.direction":              "Choose increase, decrease or maintain.",
	"err.accumulation":           "Choose how the period values add up.",
	"err.baseline_year_missing":  "Enter the year of the baseline as well, or leave both empty.",
	"err.baseline_value_missing": "Enter the baseline value as well, or leave both empty.",
	"err.baseline_year_range":    "Enter a year from 1990 to %d.",
	"err.cumulative_baseline": "A cumulative indicator counts its total from the start of the plan, so its baseline must be 0 or empty. " +
		"Put what was achieved before the plan in the definition, or choose \"latest value\" if the indicator reports a level.",
	"err.year_outside":       "This year is outside the plan.",
	"err.reporting_org":      "Choose the organisation that reports this outcome indicator.",
	"err.disaggregation_set": "Choose one of the disaggregations offered.",
	"err.breakdown_fixed": "The breakdown cannot change: %d values have already been reported for this indicator and would no longer fit. " +
		"To measure it differently, archive this indicator and create a new one.",
	"err.unit_fixed": "The unit cannot change: %d values have already been reported for this indicator and would no longer fit. " +
		"To measure it differently, archive this indicator and create a new one.",

	// Reported values and their workflow.
	"err.narrative_long":          "Keep the narrative under 5,000 characters.",
	"err.milestone_long":          "Keep the milestone description under 1,000 characters.",
	"err.no_disaggregation":       "This indicator has no disaggregation.",
	"err.unknown_category":        "Unknown breakdown category.",
	"err.total_missing":           "Enter the total as well as the breakdown.",
	"err.breakdown_sum":           "The breakdown adds up to %s, not to the total %s.",
	"err.value_before_submit":     "Enter the value before submitting.",
	"err.breakdown_before_submit": "Enter the breakdown before submitting.",
	"err.nothing_reported":        "Nothing has been reported for this period yet.",
	"err.return_comment":          "Say what needs to change (up to 5,000 characters).",
	"err.reopen_reason":           "Give the reason for reopening (up to 5,000 characters).",
	"err.comment":                 "Write a comment (up to 5,000 characters).",
	"err.correction_reason":       "This value was returned or reopened: say why you are changing it (kept in its history).",

	// Activity updates.
	"err.progress":       "Choose the activity's status.",
	"err.expenditure":    "Enter the amount spent so far, zero or more.",
	"err.text_long":      "Keep this under 5,000 characters.",
	"err.completed_full": "A completed activity is 100% complete.",
	"err.contribution":   "Describe your organisation's contribution (up to 5,000 characters).",

	// Reporting periods.
	"err.due_date":       "Enter the due date.",
	"err.due_before_end": "The due date cannot be before the period ends (%s).",
	"err.due_far":        "Choose a due date within two years of the end of the period.",
	"err.days":           "Enter a number of days from 0 to 366.",
	"err.lock_choice":    "Choose locked, unlocked or automatic.",
	"err.until":          "Enter the last day on which the organisation may report.",
	"err.until_after":    "Choose a day after the period ends (%s).",

	// Funding lines and organisations.
	"err.funder_type":    "%s is not a development partner or international organisation.",
	"err.amount":         "Enter an amount of zero or more.",
	"err.funding_status": "Choose pledged, committed or disbursed.",
	"err.acronym":        "Use up to 32 letters and digits (with - . & / inside), such as MOLSW or NSC-TIP.",
	"err.acronym_taken":  "Another organisation already uses this acronym.",
	"err.org_type":       "Choose one of the types offered.",

	// Plan settings.
	"err.plan_code":             "Use up to 32 letters, digits, dashes and dots, starting with a letter or digit.",
	"err.plan_code_reserved":    "This word is reserved: choose another code.",
	"err.plan_code_taken":       "A plan with this code already exists.",
	"err.year_range":            "Enter a year between 2000 and 2100.",
	"err.plan_end_before_start": "The plan cannot end before it starts.",
	"err.plan_30_years":         "A plan can run for at most 30 years.",
	"err.frequency":             "Choose one of the reporting frequencies offered.",
	"err.green_threshold":       "Enter a percentage above 0 and at most 150.",
	"err.red_threshold":         "Enter a percentage above 0.",
	"err.red_below_green":       "The red threshold must be below the green threshold.",
	"err.language_choice":       "Choose English, French or Lao.",
	"err.pdf_unavailable":       "A PDF needs LibreOffice Calc on the server, and it is not installed here: download the Excel workbook and print it, or ask the administrator to install LibreOffice.",
	"err.report_format":         "Choose xlsx or pdf.",
	"err.iati_country":          "Enter the recipient country's two-letter ISO code, such as LA or KH.",
	"err.iati_publisher":        "Enter the IATI organisation identifier, such as XM-DAC-41114.",
	"err.iati_nothing":          "This partner funds no activity of the plan: there is nothing to export.",
	"err.audience_choice":       "Choose external (to share) or internal (every number, not to be shared).",
	"err.activities_outside":    "%d activities run outside %d–%d: change their dates first.",
	"err.targets_outside":       "%d yearly indicator targets lie outside %d–%d: remove them first.",
	"err.periods_hold_reports":  "These periods would be removed but already hold reports: %s.",

	// Accounts, passwords, second factor, API tokens.
	"err.email":               "Enter a valid e-mail address.",
	"err.email_taken":         "A user with this e-mail address already exists.",
	"err.own_role":            "You cannot change your own role: ask an administrator.",
	"err.own_org":             "You cannot change your own organisation: ask an administrator.",
	"err.own_disable":         "You cannot disable your own account.",
	"err.mfa_reset_reason":    "Give the reason for the reset (up to %d characters), for example how you made sure it is the person asking.",
	"err.mfa_reset_own":       "You cannot reset your own second factor here: use Your account → Two-step sign-in.",
	"err.mfa_reset_none":      "This person has no second factor to reset.",
	"err.person_name":         "Enter the person's name.",
	"err.name_200":            "Use at most 200 characters.",
	"err.role":                "Choose one of the roles offered.",
	"err.role_list":           "Choose one of: %s.",
	"err.org_needed":          "This role belongs to one organisation: choose it.",
	"err.org_missing":         "This organisation does not exist.",
	"err.org_archived_other":  "This organisation is archived: choose another one.",
	"err.focal_org":           "A focal point reports for a ministry, an agency or a civil-society organisation: choose one of those.",
	"err.donor_org":           "A donor account belongs to a development partner or an international organisation: choose one of those.",
	"err.password_short":      "Use between %d and %d characters. A few unrelated words make a password that is long and easy to remember.",
	"err.password_long":       "Use between %d and %d characters.",
	"err.password_common":     "This is one of the most common passwords, which attackers try first. Choose another one, for example a few unrelated words.",
	"err.password_own_link":   "Change your own password on your account page: it asks for your current one.",
	"err.password_disabled":   "Enable the account first: a disabled account cannot sign in.",
	"err.current_password":    "This is not your current password.",
	"err.totp_code":           "The code is not right. Enter the 6 digits the app shows now.",
	"err.token_name":          "Name the token (up to 100 characters), for example the script that uses it.",
	"err.token_expires":       "Choose a date in the future.",
	"err.text_bytes":          "This text contains a character that cannot be stored (a NUL character or bytes that are not UTF-8). Remove it and try again.",
	"lock.already":            "it is already %s",
	"lock.approve_submitted":  "only submitted items can be approved; this one is %s",
	"lock.return_submitted":   "only submitted items can be returned; this one is %s",
	"lock.reopen_approved":    "only approved items can be reopened; this one is %s",
	"lock.withdraw_submitted": "only submitted items can be withdrawn; this one is %s",
	"lock.period_closed":      "period %s is closed",
	"lock.period_not_started": "period %s has not started",
	"lock.value_status":       "the value is %s; it can be changed once it is returned or reopened",
	"lock.update_status":      "the update is %s; it can be changed once it is returned or reopened",

	// Evidence files.
	"err.evidence_none":       "Choose at least one file.",
	"err.evidence_too_many":   "Send at most %d files at once.",
	"err.evidence_type":       "%s is not an accepted file: send a PDF, PNG, JPEG, DOCX, XLSX, ODT, CSV or plain text file (the content decides, not the name).",
	"err.evidence_save_first": "Save a draft first, then attach the files to it.",
	"err.multipart":           "The upload could not be read. Choose the files again and send the form once more.",
	"lock.evidence_status":    "the item is %s; files can be attached to a draft or a returned item",
	"lock.evidence_remove":    "the item is %s; files can be removed only while it is a draft",

	// Periods, review snapshots and workshop decisions.
	"err.no_periods":          "The plan has no reporting period.",
	"err.no_such_period":      "The plan has no period %q.",
	"err.range_reversed":      "The last period comes before the first.",
	"err.snapshot_name_taken": "Another snapshot of this plan already has this name.",
	"err.snapshot_name":       "Give the snapshot a name.",
	"err.decision_text":       "Write the decision.",
	"err.decision_target":     "Attach the decision to one pillar or one activity.",
	"err.no_such_pillar":      "The plan has no such pillar.",
	"err.no_such_activity":    "The plan has no such activity.",
	"err.no_such_org":         "There is no such organisation.",
	"err.no_such_snapshot":    "The plan has no such snapshot.",

	// The workshop report's filters.
	"err.no_pillar_code":         "The plan has no pillar %q.",
	"err.no_org_acronym":         "There is no organisation %q.",
	"err.snapshot_approved_only": "A review snapshot holds approved data only.",
	"err.snapshot_range":         "This snapshot covers %s to %s only.",
	"err.snapshot_id":            "Choose a snapshot of this plan.",
}

// Enum is a message argument that is one value of an enumeration (a
// status): English shows the value itself, other languages the catalogue
// entry Prefix+Value.
type Enum struct{ Prefix, Value string }

// EnglishMessages returns a copy of the English text of every key the
// models use, for the test that keeps en/errors.json in step.
func EnglishMessages() map[string]string {
	out := make(map[string]string, len(englishMessages))
	for k, v := range englishMessages {
		out[k] = v
	}
	return out
}

// EnglishMessage renders a catalogued message in English. Arguments that
// are messages themselves are rendered first; an unknown key shows as
// "[key]", as the page translator does.
func EnglishMessage(key string, args ...any) string {
	text, ok := englishMessages[key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return text
	}
	plain := make([]any, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case Message:
			plain[i] = EnglishMessage(x.Key, x.Args...)
		case Enum:
			plain[i] = x.Value
		default:
			plain[i] = a
		}
	}
	return fmt.Sprintf(text, plain...)
}

// Translate renders a message with t, a localizer's T, translating the
// arguments that are messages or enumeration values too.
func (m Message) Translate(t func(key string, args ...any) string) string {
	if len(m.Args) == 0 {
		return t(m.Key)
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch x := a.(type) {
		case Message:
			args[i] = x.Translate(t)
		case Enum:
			args[i] = t(x.Prefix + x.Value)
		default:
			args[i] = a
		}
	}
	return t(m.Key, args...)
}

// lockedf is a LockedError whose reason is a catalogued message.
func lockedf(key string, args ...any) *LockedError {
	return &LockedError{Reason: EnglishMessage(key, args...), Msg: &Message{Key: key, Args: args}}
}
