package offline

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/reporting"
)

// Format names the layout of the values template; a file of another
// layout is refused.
const Format = "naptracker-values-1"

// UpdatesFormat names the layout of the activity-updates template.
const UpdatesFormat = "naptracker-updates-1"

// MetaSheet is the very hidden sheet that says what the file is.
const MetaSheet = "naptracker"

// signaturePurpose derives the signing key from the server's keyring.
const signaturePurpose = "offline-template-signature"

// Columns of the values sheet. Each indicator has one row; a disaggregated
// one has, under it, one row per breakdown cell whose input is in colValue,
// so that every set fits the same columns and the same validation.
const (
	colCode = iota + 1
	colName
	colUnit
	colTarget
	colPrevious
	colStatus
	colValue
	colText
	colNarrative
	colReason
	// colPeriod names each row's period, in a template of a range only.
	colPeriod
)

// firstDataRow is the sheet row of the first item: a title row, then the
// headers.
const firstDataRow = 3

// Row kinds of the meta sheet.
const (
	kindIndicator = "indicator"
	kindCell      = "cell"
	kindUpdate    = "update"
)

// meta is what the hidden sheet holds: who and what the file is for, and
// one line per row of the values sheet.
type meta struct {
	// Format is Format or UpdatesFormat (empty: Format).
	Format string
	Plan   string
	OrgID  int64
	Org    string
	// Period is the period's label, or of a range "FROM..TO".
	Period    string
	Lang      string
	UserID    int64
	Generated time.Time
	Sheet     string
	Rows      []metaRow
	Signature string
}

// metaRow identifies one row of the input sheet: the item (indicator, or
// activity of an update row) and, of a breakdown row, its cell, or of an
// update row, its period; the stored row (value or update) and version
// the file was made from; and a hash of what the row's inputs held then,
// to tell an edited row from an untouched one.
type metaRow struct {
	SheetRow int
	Kind     string
	ItemID   int64
	Code     string
	// Cell is the breakdown cell of a kindCell row, the period's label of
	// a kindUpdate row, and of a kindIndicator row of a values template of
	// a range (empty when the template is of one period).
	Cell     string
	RowID    int64
	Version  int
	Original string
}

// format is the file's layout.
func (m *meta) format() string {
	if m.Format == "" {
		return Format
	}
	return m.Format
}

// payload is the text the signature covers: every identity field.
func (m *meta) payload() []byte {
	var sb strings.Builder
	for _, s := range []string{m.format(), m.Plan, strconv.FormatInt(m.OrgID, 10), m.Org, m.Period, m.Lang,
		strconv.FormatInt(m.UserID, 10), m.Generated.UTC().Format(time.RFC3339), m.Sheet} {
		sb.WriteString(strconv.Quote(s))
		sb.WriteByte('\n')
	}
	for _, r := range m.Rows {
		sb.WriteString(strconv.Itoa(r.SheetRow) + "|" + r.Kind + "|" + strconv.FormatInt(r.ItemID, 10) + "|" +
			strconv.Quote(r.Code) + "|" + strconv.Quote(r.Cell) + "|" + strconv.FormatInt(r.RowID, 10) + "|" +
			strconv.Itoa(r.Version) + "|" + r.Original + "\n")
	}
	return []byte(sb.String())
}

func sign(key, payload []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}

// verify checks the signature with every key of the keyring, so that a
// file made before a key rotation still opens.
func (m *meta) verify(keys *account.Keyring) bool {
	got, err := hex.DecodeString(m.Signature)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	p := m.payload()
	for _, k := range keys.DeriveAll(signaturePurpose) {
		mac := hmac.New(sha256.New, k)
		mac.Write(p)
		if hmac.Equal(mac.Sum(nil), got) {
			return true
		}
	}
	return false
}

// contentHash is a short hash of an input's content (not its version), to
// compare what a row holds with what the file was made with.
func contentHash(in reporting.ValueInput) string {
	var sb strings.Builder
	if in.Value != nil {
		sb.WriteString(strconv.FormatFloat(*in.Value, 'g', -1, 64))
	}
	sb.WriteString("\x00" + in.TextValue + "\x00" + in.Narrative + "\x00")
	cells := make([]string, 0, len(in.Disaggregation))
	for k, v := range in.Disaggregation {
		cells = append(cells, k+"="+strconv.FormatFloat(v, 'g', -1, 64))
	}
	sort.Strings(cells)
	sb.WriteString(strings.Join(cells, ";"))
	sum := sha256.Sum256([]byte(sb.String()))
	return hex.EncodeToString(sum[:12])
}

// storedInput is the stored value of a grid row as an input (what the
// template's input cells are filled with).
func storedInput(r *reporting.GridRow) reporting.ValueInput {
	in := reporting.ValueInput{Version: r.Version()}
	if r.Value == nil {
		return in
	}
	in.Value, in.TextValue, in.Narrative = r.Value.Value, r.Value.TextValue, r.Value.Narrative
	for _, b := range r.Value.Breakdown {
		if in.Disaggregation == nil {
			in.Disaggregation = map[string]float64{}
		}
		in.Disaggregation[b.Cell] = b.Value
	}
	return in
}
