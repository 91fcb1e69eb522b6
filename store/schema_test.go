package store_test

import (
	"context"
	"errors"
	"testing"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/notify"
	"naptracker/offline"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/store"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// TestEveryFieldHasAColumn parses each model as GORM does and checks that the
// migrated schema has a column for every persisted field, so a field added to
// a struct without a migration fails here on both databases.
func TestEveryFieldHasAColumn(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	m := db.Migrator()
	for _, model := range allModels() {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(model); err != nil {
			t.Fatalf("parse %T: %v", model, err)
		}
		table := stmt.Schema.Table
		if !m.HasTable(table) {
			t.Errorf("%T: table %s is missing", model, table)
			continue
		}
		cols, err := m.ColumnTypes(model)
		if err != nil {
			t.Fatalf("columns of %s: %v", table, err)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c.Name()] = true
		}
		for _, field := range stmt.Schema.Fields {
			if field.DBName == "" {
				continue
			}
			if !have[field.DBName] {
				t.Errorf("%T.%s: column %s.%s is missing", model, field.Name, table, field.DBName)
			}
		}
	}
}

func TestMigrateIsIdempotentAndRecorded(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	applied, err := store.Migrate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second migrate applied %v, want nothing", applied)
	}
	migs, _ := store.Migrations(db.Dialector.Name())
	v, err := store.SchemaVersion(ctx, db)
	if err != nil || v != migs[len(migs)-1].Version {
		t.Errorf("schema version = %d (%v), want %d", v, err, migs[len(migs)-1].Version)
	}
}

func TestMigrationsMatchAcrossDatabases(t *testing.T) {
	t.Parallel()
	pg, err := store.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	lite, err := store.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("%d PostgreSQL migrations but %d SQLite ones", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i].Name != lite[i].Name {
			t.Errorf("migration %d is %s on PostgreSQL but %s on SQLite", i, pg[i].Name, lite[i].Name)
		}
	}
}

func TestSchemaConstraints(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	org := domain.Organisation{Acronym: "MOLSW", Name: "Labour", Type: domain.OrgMinistry, Version: 1}
	storetest.Must(t, db.Create(&org).Error)
	plan := domain.Plan{Code: "P", Title: "Plan", StartYear: 2024, EndYear: 2028, Frequency: domain.Quarterly,
		Tier1Label: "Pillar", Tier2Label: "Objective", Tier3Label: "Activity", GreenThreshold: 0.85, RedThreshold: 0.5,
		Language: "en", Currency: "USD", Version: 1}
	storetest.Must(t, db.Create(&plan).Error)
	pillar := domain.Pillar{PlanID: plan.ID, Code: "1", Title: "Policy", Version: 1}
	storetest.Must(t, db.Create(&pillar).Error)
	obj := domain.Objective{PlanID: plan.ID, PillarID: pillar.ID, Code: "1.1", Title: "Obj", Version: 1}
	storetest.Must(t, db.Create(&obj).Error)
	act := domain.Activity{PlanID: plan.ID, ObjectiveID: obj.ID, Code: "1.1.1", Title: "Act", LeadOrgID: org.ID,
		StartDate: domain.Date(2024, 1, 1), EndDate: domain.Date(2025, 12, 31), Currency: "USD", Version: 1}
	storetest.Must(t, db.Create(&act).Error)
	ind := domain.Indicator{PlanID: plan.ID, ActivityID: &act.ID, Code: "1.1.1a", Name: "Ind", UnitType: domain.UnitNumber,
		Direction: domain.Increase, Accumulation: domain.AccumulateSum, ReportingOrgID: org.ID, Version: 1}
	storetest.Must(t, db.Create(&ind).Error)
	per := domain.ReportingPeriod{PlanID: plan.ID, Label: "2024-Q1", StartDate: domain.Date(2024, 1, 1),
		EndDate: domain.Date(2024, 3, 31), DueDate: domain.Date(2024, 4, 30), Version: 1}
	storetest.Must(t, db.Create(&per).Error)
	val := domain.IndicatorValue{IndicatorID: ind.ID, PeriodID: per.ID, Value: ptr(3.0), Workflow: domain.Workflow{Status: domain.StatusDraft, Version: 1}}
	storetest.Must(t, db.Create(&val).Error)

	t.Run("duplicate codes in a plan", func(t *testing.T) {
		dup := domain.Pillar{PlanID: plan.ID, Code: "1", Title: "Again", Version: 1}
		wantErr(t, db.Create(&dup).Error, gorm.ErrDuplicatedKey)
		dupAct := act
		dupAct.ID = 0
		wantErr(t, db.Create(&dupAct).Error, gorm.ErrDuplicatedKey)
	})
	t.Run("acronyms are unique whatever their case", func(t *testing.T) {
		wantErr(t, db.Create(&domain.Organisation{Acronym: "molsw", Name: "x", Type: domain.OrgMinistry, Version: 1}).Error, gorm.ErrDuplicatedKey)
	})
	t.Run("one value per indicator and period", func(t *testing.T) {
		again := domain.IndicatorValue{IndicatorID: ind.ID, PeriodID: per.ID, Workflow: domain.Workflow{Status: domain.StatusDraft, Version: 1}}
		wantErr(t, db.Create(&again).Error, gorm.ErrDuplicatedKey)
	})
	t.Run("an activity needs a lead that exists", func(t *testing.T) {
		bad := act
		bad.ID, bad.Code, bad.LeadOrgID = 0, "1.1.9", 999999
		wantErr(t, db.Create(&bad).Error, gorm.ErrForeignKeyViolated)
	})
	t.Run("an indicator belongs to exactly one parent", func(t *testing.T) {
		both := ind
		both.ID, both.Code, both.ObjectiveID = 0, "x", &obj.ID
		if err := db.Create(&both).Error; err == nil {
			t.Error("an indicator with both an objective and an activity was accepted")
		}
	})
	t.Run("approved needs its timestamps", func(t *testing.T) {
		err := db.Model(&domain.IndicatorValue{}).Where("id = ?", val.ID).Update("status", domain.StatusApproved).Error
		if err == nil {
			t.Error("an approved value without approved_at was accepted")
		}
	})
	t.Run("the audit log is append-only", func(t *testing.T) {
		storetest.Must(t, domain.Audit(db, domain.SystemActor, "test", "plan", &plan.ID, &plan.ID, nil, map[string]int{"a": 1}, ""))
		var e domain.AuditEntry
		storetest.Must(t, db.First(&e).Error)
		if err := db.Model(&e).Update("reason", "rewritten").Error; err == nil {
			t.Error("an audit entry was updated")
		}
		if err := db.Delete(&e).Error; err == nil {
			t.Error("an audit entry was deleted")
		}
		var n int64
		db.Model(&domain.AuditEntry{}).Count(&n)
		if n != 1 {
			t.Errorf("%d audit entries, want 1", n)
		}
	})
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("error = %v, want %v", err, want)
	}
}

func ptr[T any](v T) *T { return &v }

// allModels lists every persisted model, so that the test can check each
// against the migrated schema.
func allModels() []any {
	return []any{
		&domain.Organisation{}, &domain.Plan{}, &domain.Pillar{}, &domain.Objective{}, &domain.Activity{}, &domain.ActivitySupporter{},
		&domain.FundingLine{}, &domain.DisaggregationSet{}, &domain.DisaggregationDimension{}, &domain.DisaggregationCategory{},
		&domain.Indicator{}, &domain.IndicatorTarget{}, &domain.ReportingPeriod{}, &domain.PeriodException{},
		&domain.IndicatorValue{}, &domain.ValueBreakdown{}, &domain.ActivityUpdate{}, &domain.ContributionNote{},
		&domain.Evidence{}, &domain.EvidenceBlob{}, &domain.Comment{}, &domain.User{}, &domain.AuditEntry{},
		&account.Session{}, &account.LoginThrottle{}, &account.APIToken{}, &domain.RecoveryCode{}, &domain.PasswordToken{},
		&notify.Reminder{},
		// review snapshots and workshop decisions
		&review.ReviewSnapshot{}, &review.SnapshotValue{}, &review.SnapshotBreakdown{}, &review.SnapshotUpdate{}, &review.Decision{},
		&reporting.IndicatorRollup{}, &reporting.ActivityRollup{}, &reporting.CompletenessRollup{}, // dashboard roll-ups
		&offline.PendingUpload{}, // uploads waiting for their confirmation
	}
}
