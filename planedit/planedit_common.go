package planedit

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/domain"

	"gorm.io/gorm"
)

// The plan-editing functions (planedit_*.go) share the rules below: how
// codes look, how a text field is checked, and how a row is changed only
// from the version the editor saw.

var (
	planCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$`)
	segmentRE  = regexp.MustCompile(`^[A-Za-z0-9]{1,8}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// checkText records a message when a text is missing (if required) or too long.
func checkText(v *domain.ValidationError, field, s string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.AddKey(field, "err.required")
	case utf8.RuneCountInString(s) > max:
		v.AddKey(field, "err.too_long", max)
	}
}

// checkCurrency records a message unless s is a three-letter currency code.
func checkCurrency(v *domain.ValidationError, field, s string) {
	if !currencyRE.MatchString(s) {
		v.AddKey(field, "err.currency")
	}
}

// checkChildCode checks a dotted code under a parent ("" for a pillar): the
// parent's code, a dot and one segment of letters or digits, such as 2.3
// under pillar 2. The suggestion is shown as an example.
func checkChildCode(v *domain.ValidationError, code, parent, suggestion string) {
	seg := code
	if parent != "" {
		if !strings.HasPrefix(code, parent+".") {
			v.AddKey("code", "err.code_prefix", parent, suggestion)
			return
		}
		seg = strings.TrimPrefix(code, parent+".")
	}
	if parent == "" && strings.EqualFold(code, "new") {
		v.AddKey("code", "err.code_reserved_number", suggestion)
		return
	}
	if !segmentRE.MatchString(seg) || len(code) > 32 {
		if parent == "" {
			v.AddKey("code", "err.code_segment", suggestion)
		} else {
			v.AddKey("code", "err.code_segment_under", parent, suggestion)
		}
	}
}

// nextCode suggests the code of the next child of parent ("" for pillars)
// in a table of the plan: one more than the highest number used by a
// direct child, or, when letters is set, the first unused letter code.
// Archived rows count, since their codes stay taken.
func nextCode(tx *gorm.DB, table string, planID int64, parent string, letters bool) (string, error) {
	var codes []string
	q := tx.Table(table).Where("plan_id = ?", planID)
	prefix := ""
	if parent != "" {
		prefix = parent + "."
		q = q.Where("code LIKE ?", prefix+"%")
	}
	if err := q.Pluck("code", &codes).Error; err != nil {
		return "", err
	}
	used, highest := map[string]bool{}, 0
	for _, c := range codes {
		seg := strings.TrimPrefix(c, prefix)
		if strings.Contains(seg, ".") {
			continue
		}
		used[seg] = true
		if n, err := strconv.Atoi(seg); err == nil && n > highest {
			highest = n
		}
	}
	if !letters {
		return prefix + strconv.Itoa(highest+1), nil
	}
	for i := 0; ; i++ {
		if s := letterCode(i); !used[s] {
			return prefix + s, nil
		}
	}
}

// letterCode is the i-th code of the sequence a, b, … z, aa, ab, …
func letterCode(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('a'+(i-1)%26)) + s
	}
	return s
}

// nextPosition is one more than the highest position among siblings
// (where is a condition with its arguments), so a new item goes last.
func nextPosition(tx *gorm.DB, table string, where string, args ...any) (int, error) {
	var max *int
	err := tx.Table(table).Where(where, args...).Select("MAX(position)").Row().Scan(&max)
	if err != nil || max == nil {
		return 1, err
	}
	return *max + 1, nil
}

// staleRow is the error for an edit made from an old version of a row:
// it names the current version and, from the audit log, who changed the
// row last and when.
func staleRow(tx *gorm.DB, entity string, id int64, current int) error {
	se := &domain.StaleError{Current: current}
	var e domain.AuditEntry
	if tx.Where("entity_type = ? AND entity_id = ?", entity, id).Order("id DESC").Limit(1).Find(&e).RowsAffected == 1 {
		se.ChangedBy, se.ChangedAt = e.Actor, e.OccurredAt
	}
	return se
}

// bumpRow applies changes to one row only if it still has the version the
// editor saw, raising its version; a row changed meanwhile gives a StaleError.
func bumpRow(tx *gorm.DB, entity, table string, id int64, version int, changes map[string]any, now time.Time) error {
	changes["version"], changes["updated_at"] = version+1, now
	res := tx.Table(table).Where("id = ? AND version = ?", id, version).Updates(changes)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		var current int
		if err := tx.Table(table).Where("id = ?", id).Select("version").Row().Scan(&current); err != nil {
			return domain.NotFound(err)
		}
		return staleRow(tx, entity, id, current)
	}
	return nil
}

// duplicate turns a unique-index violation into the catalogued message key
// on field, so a code taken by a concurrent editor reads like any other taken code.
func duplicate(err error, field, key string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return domain.FieldError(field, key)
	}
	return err
}

// activeOrg loads an organisation that may be chosen for a new role in the
// plan; an archived one is accepted only when it is already chosen (keep).
func activeOrg(tx *gorm.DB, v *domain.ValidationError, field string, id int64, keep bool) (*domain.Organisation, error) {
	if id == 0 {
		v.AddKey(field, "err.org_choose")
		return nil, nil
	}
	var o domain.Organisation
	err := tx.Take(&o, id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		v.AddKey(field, "err.org_offered")
		return nil, nil
	case err != nil:
		return nil, err
	case o.ArchivedAt != nil && !keep:
		v.AddKey(field, "err.org_archived", o.Acronym)
	}
	return &o, nil
}
