package domain

import "time"

// Organisation types.
const (
	OrgMinistry      = "ministry"
	OrgAgency        = "agency"
	OrgCSO           = "cso"
	OrgPartner       = "partner"
	OrgInternational = "international"
)

// OrgTypes lists the valid organisation types in display order.
var OrgTypes = []string{OrgMinistry, OrgAgency, OrgCSO, OrgPartner, OrgInternational}

// Organisation is a ministry, agency, civil-society organisation, development
// partner or international organisation taking part in a plan.
type Organisation struct {
	ID         int64
	Acronym    string
	Name       string
	Type       string
	ArchivedAt *time.Time
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// IsFunder reports whether the organisation can appear as a funder of activities.
func (o Organisation) IsFunder() bool {
	return o.Type == OrgPartner || o.Type == OrgInternational
}
