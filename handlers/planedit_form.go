package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/planning"

	"github.com/labstack/echo/v4"
)

// The plan-editing pages share their form plumbing: every form is kept as
// the text that was typed (formValues), read into the models' input types
// by a formParser that collects "not a number" and "not a date" messages,
// and submitted through submitForm, which answers 303 on success and the
// form again with 422 and per-field messages otherwise.

// formValues is a form as typed (or as prefilled from the database), so a
// refused form comes back exactly as the person left it.
type formValues url.Values

// V is the text of a field.
func (f formValues) V(name string) string { return url.Values(f).Get(name) }

// Has reports whether a multi-valued field (checkboxes) holds value.
func (f formValues) Has(name, value string) bool {
	for _, v := range f[name] {
		if v == value {
			return true
		}
	}
	return false
}

func (f formValues) set(name, value string) { url.Values(f).Set(name, value) }

// setID writes an id field, empty for none.
func (f formValues) setID(name string, id *int64) {
	if id != nil && *id != 0 {
		f.set(name, strconv.FormatInt(*id, 10))
	}
}

// setNum writes a number field, empty for none.
func (f formValues) setNum(name string, x *float64) { f.set(name, formatInput(x)) }

// choice is one option of a select or checkbox list, its label already translated.
type choice struct{ Value, Label string }

// enumOptions lists choices whose labels are catalogue keys prefix+value.
func enumOptions(l *i18n.Localizer, prefix string, values []string) []choice {
	out := make([]choice, len(values))
	for i, v := range values {
		out[i] = choice{Value: v, Label: l.T(prefix + v)}
	}
	return out
}

// orgOptions lists organisations as choices: the active ones that pass
// keep, plus any archived one that the form already names (so an existing
// choice is never lost silently).
func orgOptions(l *i18n.Localizer, orgs []domain.Organisation, f formValues, field string, keep func(domain.Organisation) bool) []choice {
	var out []choice
	for _, o := range orgs {
		id := strconv.FormatInt(o.ID, 10)
		chosen := f.Has(field, id)
		if (o.ArchivedAt == nil && (keep == nil || keep(o))) || chosen {
			label := o.Acronym + " — " + o.Name
			if o.ArchivedAt != nil {
				label += " (" + l.T("pe.archived") + ")"
			}
			out = append(out, choice{Value: id, Label: label})
		}
	}
	return out
}

// formParser reads typed text into numbers, dates and ids, recording a
// message for each field it cannot read.
type formParser struct {
	f    formValues
	l    *i18n.Localizer
	errs map[string]string
}

func (p *formParser) fail(name, key string) {
	if _, ok := p.errs[name]; !ok {
		p.errs[name] = p.l.T(key)
	}
}

func (p *formParser) text(name string) string { return strings.TrimSpace(p.f.V(name)) }

// integer reads a whole number; an empty field gives def.
func (p *formParser) integer(name string, def int) int {
	s := p.text(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.fail(name, "pe.err_whole_number")
	}
	return n
}

// required reads a whole number that must be given.
func (p *formParser) required(name string) int {
	if p.text(name) == "" {
		p.fail(name, "pe.err_required_number")
		return 0
	}
	return p.integer(name, 0)
}

// optNumber reads a number, nil when the field is empty or unreadable.
func (p *formParser) optNumber(name string) *float64 {
	s := p.text(name)
	if s == "" {
		return nil
	}
	x, bad := parseNumber(p.l.Lang, s)
	if bad != "" {
		p.fail(name, bad)
		return nil
	}
	return &x
}

// number reads a number; an empty field gives def.
func (p *formParser) number(name string, def float64) float64 {
	if x := p.optNumber(name); x != nil {
		return *x
	}
	return def
}

// optInt reads a whole number, nil when the field is empty or unreadable.
func (p *formParser) optInt(name string) *int {
	if p.text(name) == "" {
		return nil
	}
	n := p.integer(name, 0)
	if _, bad := p.errs[name]; bad {
		return nil
	}
	return &n
}

// date reads a yyyy-mm-dd date (what date inputs send); zero when empty
// (the models say it is missing) or unreadable.
func (p *formParser) date(name string) time.Time {
	s := p.text(name)
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		p.fail(name, "pe.err_date")
		return time.Time{}
	}
	return d
}

// id reads a chosen record's id: 0 when none, -1 (found nowhere) when unreadable.
func (p *formParser) id(name string) int64 {
	s := p.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return -1
	}
	return n
}

// ids reads every checked id of a checkbox list.
func (p *formParser) ids(name string) []int64 {
	var out []int64
	for _, s := range p.f[name] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			out = append(out, n)
		} else {
			out = append(out, -1)
		}
	}
	return out
}

// version is the version the form was made from; -1 (never current) when missing.
func (p *formParser) version() int {
	v, err := strconv.Atoi(p.text("version"))
	if err != nil {
		return -1
	}
	return v
}

// formStep is one editing form's work: read the input (parse), check it
// without saving (check, used when some fields could not be read), and
// save it, returning where to go next.
type formStep struct {
	parse func(p *formParser)
	check func() error
	save  func() (string, error)
}

// submitForm runs a formStep for the posted form. Success redirects (303);
// invalid input renders the form again with 422 and every message, typed
// values kept; other errors go to the error handler (404, 409, 423 …).
func (h *Handler) submitForm(c echo.Context, step formStep, render func(status int, f formValues, errs map[string]string) error) error {
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	f := formValues(params)
	p := &formParser{f: f, l: h.Localizer(c), errs: map[string]string{}}
	step.parse(p)
	var to string
	if len(p.errs) > 0 {
		err = step.check()
		if err == nil {
			err = &domain.ValidationError{}
		}
	} else {
		to, err = step.save()
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for k, msg := range h.fieldErrors(c, ve) {
			if _, ok := p.errs[k]; !ok {
				p.errs[k] = msg
			}
		}
		return render(http.StatusUnprocessableEntity, f, p.errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// editPlan loads the plan named in the path.
func (h *Handler) editPlan(c echo.Context) (*domain.Plan, error) {
	return planning.FindPlan(c.Request().Context(), h.DB, c.Param("plan"))
}

// planEditPath is the address of a plan's editing pages, with suffix.
func planEditPath(p *domain.Plan, suffix string) string {
	return "/plans/" + url.PathEscape(p.Code) + suffix
}
