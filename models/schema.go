package models

// AllModels lists every persisted model, so that tests can check each against
// the migrated schema.
func AllModels() []any {
	return []any{
		&Organisation{}, &Plan{}, &Pillar{}, &Objective{}, &Activity{}, &ActivitySupporter{},
		&FundingLine{}, &DisaggregationSet{}, &DisaggregationDimension{}, &DisaggregationCategory{},
		&Indicator{}, &IndicatorTarget{}, &ReportingPeriod{}, &PeriodException{},
		&IndicatorValue{}, &ValueBreakdown{}, &ActivityUpdate{}, &ContributionNote{},
		&Evidence{}, &EvidenceBlob{}, &Comment{}, &User{}, &AuditEntry{},
		&Session{}, &LoginThrottle{}, &APIToken{}, &RecoveryCode{}, &PasswordToken{},
		&Reminder{},
		// review snapshots and workshop decisions
		&ReviewSnapshot{}, &SnapshotValue{}, &SnapshotBreakdown{}, &SnapshotUpdate{}, &Decision{},
		&IndicatorRollup{}, &ActivityRollup{}, &CompletenessRollup{}, // dashboard roll-ups
	}
}
