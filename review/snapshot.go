package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/store"

	"gorm.io/gorm"
)

// ReviewSnapshot freezes the approved data of a period range of a plan
// under a name ("Mid-year review 2024"), so that the slides and the Excel
// report shown at a review workshop can be produced again, exactly, after
// the live data changed. The values, breakdowns and updates are copied
// into snapshot_values, snapshot_breakdowns and snapshot_updates; the
// plan's tree, targets, compliance and slides are kept as JSON.
type ReviewSnapshot struct {
	ID             int64
	PlanID         int64
	Name           string
	FromPeriodID   int64
	ToPeriodID     int64
	CreatedByID    *int64
	CreatedAt      time.Time
	TreeJSON       string `gorm:"column:tree_json"`
	TargetsJSON    string `gorm:"column:targets_json"`
	ComplianceJSON string `gorm:"column:compliance_json"`
	SlidesJSON     string `gorm:"column:slides_json"`
}

// TableName keeps the table name explicit.
func (ReviewSnapshot) TableName() string { return "review_snapshots" }

// SnapshotValue is an approved indicator value as it was when the snapshot was taken.
type SnapshotValue struct {
	SnapshotID  int64 `gorm:"primaryKey;autoIncrement:false"`
	ValueID     int64 `gorm:"primaryKey;autoIncrement:false"`
	IndicatorID int64
	PeriodID    int64
	Value       *float64
	TextValue   string
	Narrative   string
	Status      string
	ApprovedAt  *time.Time
}

// SnapshotBreakdown is a breakdown cell of a snapshot value.
type SnapshotBreakdown struct {
	SnapshotID int64  `gorm:"primaryKey;autoIncrement:false"`
	ValueID    int64  `gorm:"primaryKey;autoIncrement:false"`
	Cell       string `gorm:"primaryKey"`
	Value      float64
}

// SnapshotUpdate is an approved activity update as it was when the snapshot was taken.
type SnapshotUpdate struct {
	SnapshotID           int64 `gorm:"primaryKey;autoIncrement:false"`
	UpdateID             int64 `gorm:"primaryKey;autoIncrement:false"`
	ActivityID           int64
	PeriodID             int64
	domain.UpdateContent `gorm:"embedded"`
	Status               string
	ApprovedAt           *time.Time
}

// SnapshotTarget is one yearly target of an indicator, as kept in targets_json.
type SnapshotTarget struct {
	IndicatorID int64   `json:"indicator_id"`
	Year        int     `json:"year"`
	Value       float64 `json:"value"`
}

// SnapshotContent is the decoded JSON of a snapshot.
type SnapshotContent struct {
	Tree       *planning.PlanTree
	Targets    []SnapshotTarget
	Compliance *reporting.CompletenessReport
}

// Decode reads the snapshot's tree, targets and compliance.
func (s *ReviewSnapshot) Decode() (*SnapshotContent, error) {
	c := &SnapshotContent{}
	if err := json.Unmarshal([]byte(s.TreeJSON), &c.Tree); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(s.TargetsJSON), &c.Targets); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(s.ComplianceJSON), &c.Compliance); err != nil {
		return nil, err
	}
	return c, nil
}

// Slides reads the slides the snapshot froze. Snapshots taken before the
// figures package rated a hidden figure "withheld" kept a rating word and
// progress beside a hidden count; those are withheld as they are read.
func (s *ReviewSnapshot) Slides() (*Slides, error) {
	var out Slides
	if err := json.Unmarshal([]byte(s.SlidesJSON), &out); err != nil {
		return nil, err
	}
	withhold := func(lines []IndicatorLine) {
		for i := range lines {
			if l := &lines[i]; l.Withheld || l.Small {
				l.RAG, l.Actual, l.Progress = domain.RAGWithheld, nil, nil
			}
		}
	}
	withhold(out.OffTrack)
	withhold(out.BestOnTrack)
	for i := range out.Pillars {
		withhold(out.Pillars[i].OffTrack)
	}
	return &out, nil
}

// SnapshotInput names a new snapshot and its range (period labels).
type SnapshotInput struct {
	Name     string
	From, To string
}

// SnapshotNameMax is the longest name a snapshot may have, in characters.
const SnapshotNameMax = 200

// CreateSnapshot freezes the approved data of a plan for a range of
// periods. Only a scope that validates may take one (ErrForbidden
// otherwise). Everything is read and copied in one transaction (repeatable
// read on PostgreSQL; SQLite's write lock on SQLite), the rows with
// INSERT … SELECT, with an audit row "snapshot.create". A blank, too long
// or taken name and unknown or reversed periods give a *ValidationError
// (fields name, from, to).
func CreateSnapshot(ctx context.Context, db *gorm.DB, who domain.Caller, planCode string, in SnapshotInput) (*ReviewSnapshot, error) {
	if !who.Scope.Validates() {
		return nil, domain.ErrForbidden
	}
	in.Name = strings.TrimSpace(in.Name)
	var snap *ReviewSnapshot
	fn := func(tx *gorm.DB) error {
		var err error
		snap, err = createSnapshot(tx, who.Actor, planCode, in, who.Now)
		return err
	}
	var opts []*sql.TxOptions
	if store.IsPostgres(db) {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	}
	if err := db.WithContext(ctx).Transaction(fn, opts...); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, nameTaken()
		}
		return nil, err
	}
	return snap, nil
}

func nameTaken() error {
	v := &domain.ValidationError{}
	v.AddKey("name", "err.snapshot_name_taken")
	return v
}

func createSnapshot(tx *gorm.DB, a domain.Actor, planCode string, in SnapshotInput, now time.Time) (*ReviewSnapshot, error) {
	tree, err := planning.LoadPlanTree(tx.Statement.Context, tx, planCode)
	if err != nil {
		return nil, err
	}
	plan := tree.Plan
	all, err := reporting.PlanPeriods(tx.Statement.Context, tx, plan.ID)
	if err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		v.AddKey("name", "err.snapshot_name")
	case n > SnapshotNameMax:
		v.AddKey("name", "err.too_long", SnapshotNameMax)
	default:
		var taken int64
		if err := tx.Model(&ReviewSnapshot{}).Where("plan_id = ? AND lower(name) = lower(?)", plan.ID, in.Name).Count(&taken).Error; err != nil {
			return nil, err
		}
		if taken > 0 {
			return nil, nameTaken()
		}
	}
	rng, rerr := planning.ResolveRange(all, in.From, in.To, now)
	var re *domain.ValidationError
	if errors.As(rerr, &re) {
		for f, m := range re.Fields {
			if k, ok := re.Keys[f]; ok {
				v.AddKey(f, k.Key, k.Args...)
			} else {
				v.Add(f, m)
			}
		}
	} else if rerr != nil {
		return nil, rerr
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	comp, err := reporting.Completeness(tx.Statement.Context, tx, plan, rng.Periods(), 0, now)
	if err != nil {
		return nil, err
	}
	slides, err := buildSlides(tx, tree, rng, comp.Periods[len(comp.Periods)-1], now)
	if err != nil {
		return nil, err
	}
	targetRows, err := PlanTargetRows(tx, plan.ID)
	if err != nil {
		return nil, err
	}
	targets := make([]SnapshotTarget, len(targetRows))
	for i, t := range targetRows {
		targets[i] = SnapshotTarget{IndicatorID: t.IndicatorID, Year: t.Year, Value: t.Value}
	}
	s := &ReviewSnapshot{PlanID: plan.ID, Name: in.Name, FromPeriodID: rng.First().ID, ToPeriodID: rng.Last().ID,
		CreatedByID: a.UserID, CreatedAt: now.UTC()}
	for _, part := range []struct {
		dst *string
		v   any
	}{{&s.TreeJSON, tree}, {&s.TargetsJSON, targets}, {&s.ComplianceJSON, comp}, {&s.SlidesJSON, slides}} {
		b, err := json.Marshal(part.v)
		if err != nil {
			return nil, err
		}
		*part.dst = string(b)
	}
	if err := tx.Create(s).Error; err != nil {
		return nil, err
	}
	end := rng.Last().EndDate
	copies := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO snapshot_values (snapshot_id, value_id, indicator_id, period_id, value, text_value, narrative, status, approved_at)
SELECT ?, v.id, v.indicator_id, v.period_id, v.value, v.text_value, v.narrative, v.status, v.approved_at
FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN reporting_periods p ON p.id = v.period_id
WHERE i.plan_id = ? AND v.status = ? AND p.end_date <= ?`, []any{s.ID, plan.ID, domain.StatusApproved, end}},
		{`INSERT INTO snapshot_breakdowns (snapshot_id, value_id, cell, value)
SELECT s.snapshot_id, b.value_id, b.cell, b.value FROM snapshot_values s JOIN value_breakdowns b ON b.value_id = s.value_id
WHERE s.snapshot_id = ?`, []any{s.ID}},
		{`INSERT INTO snapshot_updates (snapshot_id, update_id, activity_id, period_id, progress, percent_complete, achievements, challenges, next_steps, expenditure, status, approved_at)
SELECT ?, u.id, u.activity_id, u.period_id, u.progress, u.percent_complete, u.achievements, u.challenges, u.next_steps, u.expenditure, u.status, u.approved_at
FROM activity_updates u JOIN activities a ON a.id = u.activity_id JOIN reporting_periods p ON p.id = u.period_id
WHERE a.plan_id = ? AND u.status = ? AND p.end_date <= ?`, []any{s.ID, plan.ID, domain.StatusApproved, end}},
	}
	counts := make([]int64, len(copies))
	for i, c := range copies {
		res := tx.Exec(c.sql, c.args...)
		if res.Error != nil {
			return nil, res.Error
		}
		counts[i] = res.RowsAffected
	}
	audit := map[string]any{"name": s.Name, "from": rng.First().Label, "to": rng.Last().Label,
		"values": counts[0], "breakdowns": counts[1], "updates": counts[2]}
	if err := domain.Audit(tx, a, "snapshot.create", "review_snapshot", &s.ID, &plan.ID, nil, audit, ""); err != nil {
		return nil, err
	}
	return s, nil
}

// SnapshotSummary is a snapshot as the list shows it, without its JSON.
type SnapshotSummary struct {
	ID            int64
	PlanID        int64
	Name          string
	FromPeriodID  int64
	ToPeriodID    int64
	FromLabel     string
	ToLabel       string
	CreatedByID   *int64
	CreatedByName *string
	CreatedAt     time.Time
}

// ListSnapshots lists a plan's snapshots, newest first, in one query.
func ListSnapshots(ctx context.Context, db *gorm.DB, planID int64) ([]SnapshotSummary, error) {
	var out []SnapshotSummary
	err := db.WithContext(ctx).Raw(`SELECT s.id, s.plan_id, s.name, s.from_period_id, s.to_period_id, fp.label AS from_label, tp.label AS to_label,
s.created_by_id, u.name AS created_by_name, s.created_at
FROM review_snapshots s JOIN reporting_periods fp ON fp.id = s.from_period_id JOIN reporting_periods tp ON tp.id = s.to_period_id
LEFT JOIN users u ON u.id = s.created_by_id WHERE s.plan_id = ? ORDER BY s.created_at DESC, s.id DESC`, planID).Scan(&out).Error
	return out, err
}

// FindSnapshot loads a snapshot of a plan; ErrNotFound when there is none
// with that id in that plan.
func FindSnapshot(ctx context.Context, db *gorm.DB, planID, id int64) (*ReviewSnapshot, error) {
	var s ReviewSnapshot
	err := db.WithContext(ctx).Where("plan_id = ? AND id = ?", planID, id).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}
