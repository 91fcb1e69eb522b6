package domain

// EntityRef names a record for deleting or archiving: its kind (pillar,
// objective, activity, indicator, organisation), id, plan (nil for an
// organisation) and the version the page showed.
type EntityRef struct {
	Kind    string
	ID      int64
	PlanID  *int64
	Version int
}

// entityTables maps each editable kind to its table.
var EntityTables = map[string]string{"pillar": "pillars", "objective": "objectives", "activity": "activities", "indicator": "indicators", "organisation": "organisations"}
