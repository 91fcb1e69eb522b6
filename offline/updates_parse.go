package offline

import (
	"encoding/hex"
	"math"
	"strings"
	"sync"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"
)

// UpdatesFile is an uploaded template of activity updates, read and its
// signature checked: what it is for, and what each row holds now.
type UpdatesFile struct {
	// SHA256 is the hex digest of the uploaded bytes, for the audit log.
	SHA256 string
	Plan   string
	OrgID  int64
	Org    string
	// From and To are the range of periods the template was made for.
	From, To  string
	Lang      string
	UserID    int64
	Generated time.Time
	Items     []UpdateItem
}

// UpdateItem is one row of the file: an activity's update for a period,
// as the file was made and as its input cells hold it now.
type UpdateItem struct {
	Code       string
	ActivityID int64
	Period     string
	UpdateID   int64
	Version    int
	// Original is the hash of the inputs when the file was made.
	Original string
	// Row is the sheet row.
	Row    int
	Input  reporting.UpdateInput
	Errors []CellError
}

// Key names the row as the update grid does: activity code and period.
func (it *UpdateItem) Key() string { return it.Code + "@" + it.Period }

// ParseUpdates reads an uploaded template of activity updates with the
// hostile-file-safe reader and checks its hidden sheet as Parse does (a
// values template, or a file that is no template or was changed, is a
// *Refusal). Cells that cannot be read are errors of their row, with
// their address.
func ParseUpdates(data []byte, keys *account.Keyring, lim Limits) (*UpdatesFile, error) {
	sf, err := readSigned(data, keys, lim, UpdatesFormat)
	if err != nil {
		return nil, err
	}
	defer sf.b.Close()
	m := sf.meta
	f := &UpdatesFile{SHA256: hex.EncodeToString(sf.sum[:]), Plan: m.Plan, OrgID: m.OrgID, Org: m.Org, Lang: m.Lang,
		UserID: m.UserID, Generated: m.Generated}
	f.From, f.To = splitRange(m.Period)
	p := &itemParser{b: sf.b, sheet: m.Sheet, rows: sf.rows, lang: m.Lang}
	labels := progressByLabel(m.Lang)
	for _, r := range m.Rows {
		it := UpdateItem{Code: r.Code, ActivityID: r.ItemID, Period: r.Cell, UpdateID: r.RowID, Version: r.Version,
			Original: r.Original, Row: r.SheetRow, Input: reporting.UpdateInput{Version: r.Version}}
		if err := p.readUpdate(&it, labels); err != nil {
			return nil, err
		}
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// catalogues are the message catalogues, loaded once, to read the status
// labels a template was written with.
var catalogues = sync.OnceValue(func() *i18n.Bundle {
	b, err := i18n.Load()
	if err != nil {
		return nil // the embedded catalogues are checked at start and by tests
	}
	return b
})

// progressByLabel maps each status's label (in the template's language
// and in English, any case) and its code to the code.
func progressByLabel(lang string) map[string]string {
	out := map[string]string{}
	for _, p := range domain.ProgressStatuses {
		out[p] = p
	}
	b := catalogues()
	if b == nil {
		return out
	}
	langs := []string{i18n.Default}
	if i18n.IsSupported(lang) {
		langs = append(langs, lang)
	}
	for _, l := range langs {
		for i, label := range progressLabels(b.For(l)) {
			out[strings.ToLower(label)] = domain.ProgressStatuses[i]
		}
	}
	return out
}

// readUpdate fills the item with the input cells of its row.
func (p *itemParser) readUpdate(it *UpdateItem, labels map[string]string) error {
	if got := strings.TrimSpace(p.raw(ucolCode, it.Row)); got != it.Code || strings.TrimSpace(p.raw(ucolPeriod, it.Row)) != it.Period {
		it.Errors = append(it.Errors, CellError{cellRef(ucolCode, it.Row), domain.Message{Key: "offline.err.update_row_moved", Args: []any{it.Code, it.Period}}})
		return nil
	}
	addErr := func(col int, msg *domain.Message) {
		if msg != nil {
			it.Errors = append(it.Errors, CellError{cellRef(col, it.Row), *msg})
		}
	}
	progress, msg, err := p.text(ucolProgress, it.Row)
	if err != nil {
		return err
	}
	addErr(ucolProgress, msg)
	if progress = strings.TrimSpace(progress); progress != "" {
		code, ok := labels[strings.ToLower(progress)]
		if !ok {
			addErr(ucolProgress, &domain.Message{Key: "err.progress"})
		}
		it.Input.Progress = code
	}
	pct, msg, err := p.number(ucolPercent, it.Row)
	if err != nil {
		return err
	}
	addErr(ucolPercent, msg)
	if pct != nil {
		if *pct != math.Trunc(*pct) || math.Abs(*pct) > 1e6 {
			addErr(ucolPercent, &domain.Message{Key: "err.percentage"})
		} else {
			it.Input.PercentComplete = int(*pct)
		}
	}
	x, msg, err := p.number(ucolExpenditure, it.Row)
	if err != nil {
		return err
	}
	addErr(ucolExpenditure, msg)
	if x != nil {
		it.Input.Expenditure = *x
	}
	for _, c := range []struct {
		col int
		to  *string
	}{{ucolAchievements, &it.Input.Achievements}, {ucolChallenges, &it.Input.Challenges}, {ucolNextSteps, &it.Input.NextSteps}} {
		s, msg, err := p.text(c.col, it.Row)
		if err != nil {
			return err
		}
		addErr(c.col, msg)
		*c.to = s
	}
	return nil
}
