package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// Reminder kinds.
const (
	// ReminderDueSoon goes to each focal point a few days before a period's
	// due date, listing what their organisation still owes for it.
	ReminderDueSoon = "due_soon"
	// ReminderOverdue goes once after the due date, while the period is
	// still open to the organisation (grace days or an exception).
	ReminderOverdue = "overdue"
	// ReminderReturned goes when the secretariat returns (or reopens) an
	// item, with its comment; a second return of the same item is a new one.
	ReminderReturned = "returned"
	// ReminderDigest goes to the secretariat every Monday with the
	// completeness summary of each plan.
	ReminderDigest = "digest"
)

// ReminderPolicy says when reminders fall due.
type ReminderPolicy struct {
	// DaysBefore is how many days before a due date the first reminder goes.
	DaysBefore int
}

// DueReminder is a reminder that should exist at an instant, with what its
// message needs; the caller writes the text in the recipient's language
// and records it with CreateReminders.
type DueReminder struct {
	Kind   string
	User   domain.User
	Plan   domain.Plan
	Period *domain.ReportingPeriod // nil for the digest
	Org    *domain.Organisation    // the focal point's organisation (nil for the digest)
	// Ref tells apart reminders of one kind, user and period: the returned
	// item and when, or the plan and week of a digest.
	Ref string
	// Items are what the organisation still owes (due soon, overdue), or
	// the returned item.
	Items []reporting.CompletenessItem
	// Summary is the digest's completeness report.
	Summary *reporting.CompletenessReport
	// ClosesAt is when an overdue period stops taking reports from the
	// organisation (nil when the secretariat unlocked it without end).
	ClosesAt *time.Time
}

// Key is the reminder's unique key, as the reminders table enforces it.
func (d DueReminder) Key() string {
	var period int64
	if d.Period != nil {
		period = d.Period.ID
	}
	return reminderKey(d.Kind, d.User.ID, period, d.Ref)
}

func reminderKey(kind string, userID, periodID int64, ref string) string {
	return kind + "|" + strconv.FormatInt(userID, 10) + "|" + strconv.FormatInt(periodID, 10) + "|" + ref
}

// DueReminders decides which reminders should exist at the instant now, in
// every plan that is not archived, leaving out those already recorded:
//
//   - due soon: from DaysBefore days before a period's due date until it
//     ends, to each focal point of an organisation that still owes items
//     (nothing reported, a draft, or returned);
//   - overdue: after the due date, as long as the period is still open to
//     the organisation (grace days, an exception), the same;
//   - returned: for each item currently returned in a period still open to
//     its organisation, to its focal points;
//   - digest: on Mondays (UTC), to every secretariat account, per plan.
//
// It costs a fixed number of queries per plan.
func DueReminders(ctx context.Context, db *gorm.DB, pol ReminderPolicy, now time.Time) ([]DueReminder, error) {
	db = db.WithContext(ctx)
	var plans []domain.Plan
	if err := db.Where("archived_at IS NULL").Order("code").Find(&plans).Error; err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, nil
	}
	planIDs := make([]int64, len(plans))
	for i, p := range plans {
		planIDs[i] = p.ID
	}
	var periods []domain.ReportingPeriod
	if err := db.Where("plan_id IN ?", planIDs).Order("start_date, id").Find(&periods).Error; err != nil {
		return nil, err
	}
	var started []int64
	for _, p := range periods {
		if !now.Before(p.StartDate) {
			started = append(started, p.ID)
		}
	}
	// Exceptions keep a period open to one organisation after it locks.
	exc := map[int64]map[int64]time.Time{} // period → organisation → until
	if len(started) > 0 {
		var list []domain.PeriodException
		if err := db.Where("period_id IN ?", started).Find(&list).Error; err != nil {
			return nil, err
		}
		for _, e := range list {
			if exc[e.PeriodID] == nil {
				exc[e.PeriodID] = map[int64]time.Time{}
			}
			exc[e.PeriodID][e.OrganisationID] = e.UntilDate
		}
	}
	stateFor := func(p domain.ReportingPeriod, org int64) string {
		if until, ok := exc[p.ID][org]; ok {
			return p.State(now, &until)
		}
		return p.State(now, nil)
	}
	var out []DueReminder
	var owed []reporting.CompletenessItem
	planOf := map[int64]domain.Plan{}
	periodOf := map[int64]domain.ReportingPeriod{}
	for _, plan := range plans {
		planOf[plan.ID] = plan
		// Periods that may still be open to some organisation.
		var live []domain.ReportingPeriod
		for _, p := range periods {
			if p.PlanID != plan.ID || now.Before(p.StartDate) {
				continue
			}
			periodOf[p.ID] = p
			open := p.State(now, nil) != domain.PeriodClosed
			for _, until := range exc[p.ID] {
				open = open || p.State(now, &until) != domain.PeriodClosed
			}
			if open {
				live = append(live, p)
			}
		}
		items, err := reporting.CompletenessItems(ctx, db, plan, live, reporting.ItemFilter{Outstanding: true}, now)
		if err != nil {
			return nil, err
		}
		owed = append(owed, items...)
	}
	// Group what each organisation owes per period, and its returned items.
	type orgPeriod struct{ org, period int64 }
	byOrgPeriod := map[orgPeriod][]reporting.CompletenessItem{}
	var groups []orgPeriod
	var orgIDs []int64
	seenOrg := map[int64]bool{}
	for _, it := range owed {
		k := orgPeriod{it.OrgID, it.PeriodID}
		if _, ok := byOrgPeriod[k]; !ok {
			groups = append(groups, k)
		}
		byOrgPeriod[k] = append(byOrgPeriod[k], it)
		if !seenOrg[it.OrgID] {
			seenOrg[it.OrgID] = true
			orgIDs = append(orgIDs, it.OrgID)
		}
	}
	focal, err := reporting.FocalPoints(ctx, db, orgIDs)
	if err != nil {
		return nil, err
	}
	orgs, err := reporting.OrganisationsByID(db, orgIDs)
	if err != nil {
		return nil, err
	}
	for _, k := range groups {
		p := periodOf[k.period]
		plan := planOf[p.PlanID]
		org := orgs[k.org]
		items := byOrgPeriod[k]
		state := stateFor(p, k.org)
		kind := ""
		switch {
		case state == domain.PeriodOpen && !now.Before(p.DueDate.AddDate(0, 0, -pol.DaysBefore)):
			kind = ReminderDueSoon
		case state == domain.PeriodOverdue:
			kind = ReminderOverdue
		}
		var closes *time.Time
		if kind == ReminderOverdue && (p.LockOverride == nil || *p.LockOverride != domain.LockUnlocked) {
			at := p.LocksAt()
			if until, ok := exc[p.ID][k.org]; ok && domain.DayAfter(until).After(at) {
				at = domain.DayAfter(until)
			}
			closes = &at
		}
		for _, u := range focal[k.org] {
			if kind != "" {
				out = append(out, DueReminder{Kind: kind, User: u, Plan: plan, Period: &p, Org: &org, Items: items, ClosesAt: closes})
			}
			if state != domain.PeriodOpen && state != domain.PeriodOverdue {
				continue
			}
			for _, it := range items {
				if it.Status != domain.StatusReturned || it.RowID == nil {
					continue
				}
				var at int64
				if it.ReturnedAt != nil {
					at = it.ReturnedAt.Unix()
				}
				ref := fmt.Sprintf("%s:%d@%d", it.Kind, *it.RowID, at)
				out = append(out, DueReminder{Kind: ReminderReturned, User: u, Plan: plan, Period: &p, Org: &org, Ref: ref,
					Items: []reporting.CompletenessItem{it}})
			}
		}
	}
	if now.UTC().Weekday() == time.Monday {
		digests, err := dueDigests(ctx, db, plans, periods, now)
		if err != nil {
			return nil, err
		}
		out = append(out, digests...)
	}
	return withoutRecorded(db, out)
}

// dueDigests makes this week's digest of each plan for every secretariat account.
func dueDigests(ctx context.Context, db *gorm.DB, plans []domain.Plan, periods []domain.ReportingPeriod, now time.Time) ([]DueReminder, error) {
	var secretariat []domain.User
	if err := db.Where("role = ? AND disabled_at IS NULL", domain.RoleSecretariat).Order("lower(name), id").Find(&secretariat).Error; err != nil {
		return nil, err
	}
	if len(secretariat) == 0 {
		return nil, nil
	}
	year, week := now.UTC().ISOWeek()
	var out []DueReminder
	for _, plan := range plans {
		var own []domain.ReportingPeriod
		for _, p := range periods {
			if p.PlanID == plan.ID {
				own = append(own, p)
			}
		}
		chosen := reporting.DefaultCompletenessPeriods(own, now)
		if len(chosen) == 0 {
			continue
		}
		rep, err := reporting.Completeness(ctx, db, plan, chosen, 0, now)
		if err != nil {
			return nil, err
		}
		ref := fmt.Sprintf("%s:%d-W%02d", plan.Code, year, week)
		for _, u := range secretariat {
			out = append(out, DueReminder{Kind: ReminderDigest, User: u, Plan: plan, Ref: ref, Summary: rep})
		}
	}
	return out, nil
}

// withoutRecorded drops the reminders already in the table, in one query.
func withoutRecorded(db *gorm.DB, due []DueReminder) ([]DueReminder, error) {
	if len(due) == 0 {
		return nil, nil
	}
	var userIDs, periodIDs []int64
	refs := []string{""}
	seen := map[string]bool{}
	for _, d := range due {
		if k := "u" + strconv.FormatInt(d.User.ID, 10); !seen[k] {
			seen[k] = true
			userIDs = append(userIDs, d.User.ID)
		}
		if d.Period != nil {
			if k := "p" + strconv.FormatInt(d.Period.ID, 10); !seen[k] {
				seen[k] = true
				periodIDs = append(periodIDs, d.Period.ID)
			}
		} else if k := "r" + d.Ref; !seen[k] {
			seen[k] = true
			refs = append(refs, d.Ref)
		}
	}
	if len(periodIDs) == 0 {
		periodIDs = []int64{0}
	}
	type keyRow struct {
		Kind     string
		UserID   int64
		PeriodID *int64
		Ref      string
	}
	var rows []keyRow
	if err := db.Model(&Reminder{}).Select("kind, user_id, period_id, ref").Where("user_id IN ? AND (period_id IN ? OR (period_id IS NULL AND ref IN ?))", userIDs, periodIDs, refs).Scan(&rows).Error; err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(rows))
	for _, r := range rows {
		var period int64
		if r.PeriodID != nil {
			period = *r.PeriodID
		}
		have[reminderKey(r.Kind, r.UserID, period, r.Ref)] = true
	}
	var out []DueReminder
	for _, d := range due {
		if !have[d.Key()] {
			out = append(out, d)
		}
	}
	return out, nil
}
