package review

import (
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DashboardChangesSize is how many recent changes a dashboard lists.
const DashboardChangesSize = 10

// DashboardChange is one recent change as the dashboard shows it: who did
// what to which item (its code, and the period of a value or an update), when.
type DashboardChange struct {
	OccurredAt time.Time
	Who        string
	Action     string
	EntityType string
	Code       string
	Period     string
}

// dashboardActions are the audit actions a dashboard lists: changes to
// approved data and to the plan itself. Saving, submitting and returning
// drafts are left out, since donors and facilitators see approved data only.
func dashboardActions() []string {
	out := []string{"value.approve", "value.reopen", "update.approve", "update.reopen", "plan.update",
		"funding.create", "funding.update", "funding.delete"}
	for _, kind := range []string{"pillar", "objective", "activity", "indicator"} {
		for _, op := range []string{"create", "update", "archive", "unarchive", "delete"} {
			out = append(out, kind+"."+op)
		}
	}
	return out
}

// recentChanges reads the latest changes of a plan's approved data and
// structure, naming the item each is about, in one query. It reads at most
// limit entries of each listed action, each from the end of its range of
// the (plan_id, action, occurred_at, id) index, so what it reads does not
// grow with the history: the saves, sign-ins and token uses in between are
// never read.
func recentChanges(db *gorm.DB, planID int64, limit int) ([]DashboardChange, error) {
	actions := dashboardActions()
	parts := make([]string, len(actions))
	args := make([]any, 0, 3*len(actions)+1)
	for i, a := range actions {
		parts[i] = "SELECT * FROM (SELECT id FROM audit_entries WHERE plan_id = ? AND action = ? " +
			"ORDER BY occurred_at DESC, id DESC LIMIT ?) r" + strconv.Itoa(i)
		args = append(args, planID, a, limit)
	}
	args = append(args, limit)
	var out []DashboardChange
	err := db.Raw(`SELECT e.occurred_at, COALESCE(u.name, e.actor) AS who, e.action, e.entity_type,
 COALESCE(vi.code, ua.code, xp.code, xo.code, xa.code, xi.code, '') AS code, COALESCE(vp.label, up.label, '') AS period
FROM (`+strings.Join(parts, " UNION ALL ")+`) latest
JOIN audit_entries e ON e.id = latest.id
LEFT JOIN users u ON u.id = e.user_id
LEFT JOIN indicator_values iv ON e.entity_type = 'indicator_value' AND iv.id = e.entity_id
LEFT JOIN indicators vi ON vi.id = iv.indicator_id
LEFT JOIN reporting_periods vp ON vp.id = iv.period_id
LEFT JOIN activity_updates au ON e.entity_type = 'activity_update' AND au.id = e.entity_id
LEFT JOIN activities ua ON ua.id = au.activity_id
LEFT JOIN reporting_periods up ON up.id = au.period_id
LEFT JOIN pillars xp ON e.entity_type = 'pillar' AND xp.id = e.entity_id
LEFT JOIN objectives xo ON e.entity_type = 'objective' AND xo.id = e.entity_id
LEFT JOIN activities xa ON e.entity_type = 'activity' AND xa.id = e.entity_id
LEFT JOIN indicators xi ON e.entity_type = 'indicator' AND xi.id = e.entity_id
ORDER BY e.occurred_at DESC, e.id DESC
LIMIT ?`, args...).Scan(&out).Error
	return out, err
}
