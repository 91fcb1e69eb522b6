package planedit

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"naptracker/domain"

	"gorm.io/gorm"
)

var acronymRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}&./-]{0,31}$`)

// OrgInput is what the organisation form submits.
type OrgInput struct {
	Acronym, Name, Type string
	Version             int
}

func (in OrgInput) trimmed() OrgInput {
	in.Acronym, in.Name = strings.TrimSpace(in.Acronym), strings.TrimSpace(in.Name)
	return in
}

// orgFacts is what the audit log records of an organisation.
func orgFacts(o *domain.Organisation) map[string]any {
	return map[string]any{"acronym": o.Acronym, "name": o.Name, "type": o.Type}
}

// checkOrg checks an organisation form; the acronym must be unique
// whatever its case (id is the organisation being edited, 0 when creating).
func checkOrg(tx *gorm.DB, v *domain.ValidationError, in OrgInput, id int64) error {
	if !acronymRE.MatchString(in.Acronym) {
		v.AddKey("acronym", "err.acronym")
	} else {
		var n int64
		if err := tx.Model(&domain.Organisation{}).Where("lower(acronym) = lower(?) AND id <> ?", in.Acronym, id).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			v.AddKey("acronym", "err.acronym_taken")
		}
	}
	checkText(v, "name", in.Name, true, 300)
	if !slices.Contains(domain.OrgTypes, in.Type) {
		v.AddKey("type", "err.org_type")
	}
	return nil
}

// ValidateOrgInput checks an organisation form without saving it.
func ValidateOrgInput(ctx context.Context, db *gorm.DB, in OrgInput, id int64) error {
	v := &domain.ValidationError{}
	if err := checkOrg(db.WithContext(ctx), v, in.trimmed(), id); err != nil {
		return err
	}
	return v.Err()
}

const acronymTaken = "err.acronym_taken"

// CreateOrganisation adds an organisation, with its audit row.
func CreateOrganisation(ctx context.Context, db *gorm.DB, who domain.Caller, in OrgInput) (*domain.Organisation, error) {
	in = in.trimmed()
	o := &domain.Organisation{Acronym: in.Acronym, Name: in.Name, Type: in.Type, Version: 1, CreatedAt: who.Now, UpdatedAt: who.Now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		if err := checkOrg(tx, v, in, 0); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := tx.Create(o).Error; err != nil {
			return duplicate(err, "acronym", acronymTaken)
		}
		return domain.Audit(tx, who.Actor, "organisation.create", "organisation", &o.ID, nil, nil, orgFacts(o), "")
	})
	return o, err
}

// OrganisationByID loads an organisation by id, archived or not.
func OrganisationByID(ctx context.Context, db *gorm.DB, id int64) (*domain.Organisation, error) {
	var o domain.Organisation
	if err := db.WithContext(ctx).Take(&o, id).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	return &o, nil
}

// UpdateOrganisation saves the organisation form from the version it was made from.
func UpdateOrganisation(ctx context.Context, db *gorm.DB, who domain.Caller, id int64, in OrgInput) error {
	in = in.trimmed()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var o domain.Organisation
		if err := tx.Take(&o, id).Error; err != nil {
			return domain.NotFound(err)
		}
		if in.Version != o.Version {
			return staleRow(tx, "organisation", o.ID, o.Version)
		}
		v := &domain.ValidationError{}
		if err := checkOrg(tx, v, in, o.ID); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		old := orgFacts(&o)
		changes := map[string]any{"acronym": in.Acronym, "name": in.Name, "type": in.Type}
		if err := bumpRow(tx, "organisation", "organisations", o.ID, o.Version, changes, who.Now); err != nil {
			return duplicate(err, "acronym", acronymTaken)
		}
		return domain.Audit(tx, who.Actor, "organisation.update", "organisation", &o.ID, nil, old, changes, "")
	})
}

// OrgListItem is an organisation with how much of the plans and accounts refer to it.
type OrgListItem struct {
	domain.Organisation
	Users, Leads, Indicators int
}

// ListOrganisations lists every organisation by acronym, archived ones
// included, with the number of accounts, led activities and reported
// indicators of each, in four queries.
func ListOrganisations(ctx context.Context, db *gorm.DB) ([]OrgListItem, error) {
	db = db.WithContext(ctx)
	var orgs []domain.Organisation
	if err := db.Order("archived_at IS NOT NULL, lower(acronym)").Find(&orgs).Error; err != nil {
		return nil, err
	}
	count := func(table, column string) (map[int64]int, error) {
		var rows []struct {
			ID int64
			N  int
		}
		err := db.Table(table).Select(column + " AS id, COUNT(*) AS n").Where(column + " IS NOT NULL").Group(column).Scan(&rows).Error
		m := make(map[int64]int, len(rows))
		for _, r := range rows {
			m[r.ID] = r.N
		}
		return m, err
	}
	users, err := count("users", "organisation_id")
	if err != nil {
		return nil, err
	}
	leads, err := count("activities", "lead_org_id")
	if err != nil {
		return nil, err
	}
	inds, err := count("indicators", "reporting_org_id")
	if err != nil {
		return nil, err
	}
	out := make([]OrgListItem, len(orgs))
	for i, o := range orgs {
		out[i] = OrgListItem{Organisation: o, Users: users[o.ID], Leads: leads[o.ID], Indicators: inds[o.ID]}
	}
	return out, nil
}
