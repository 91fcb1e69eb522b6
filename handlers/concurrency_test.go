package handlers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// sharedIndicator is the value every client of the storm fights over.
const sharedIndicator = "2.1.1.b"

// putOutcome is one read-then-PUT of a value by one client, as the client saw it.
type putOutcome struct {
	client, round int
	indicator     string
	based         int // the version the client read and sent
	value         float64
	narrative     string
	status        int
	version       int  // the new version, from a 200
	current       *int // current_version, from a 409
	changedBy     string
	body          string
	err           error
}

// stormTarget is an indicator the storm writes to, with its unit (so that
// every value sent is valid) and its version before the storm.
type stormTarget struct {
	Code     string
	UnitType string
	initial  int
}

// molswTargets returns the shared indicator and the other indicators that
// MOLSW reports without a breakdown, so that a bare value is a valid edit.
func molswTargets(t *testing.T, env *apptest.Env, planID int64) []stormTarget {
	t.Helper()
	var out []stormTarget
	err := env.App.DB.Table("indicators").Select("indicators.code, indicators.unit_type").
		Joins("JOIN organisations ON organisations.id = indicators.reporting_org_id").
		Where("organisations.acronym = ? AND indicators.disaggregation_set_id IS NULL AND indicators.archived_at IS NULL AND indicators.plan_id = ?", "MOLSW", planID).
		Order("indicators.code").Scan(&out).Error
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code == sharedIndicator && out[j].Code != sharedIndicator })
	if len(out) < 4 || out[0].Code != sharedIndicator {
		t.Fatalf("the demo plan has too few MOLSW indicators without a breakdown, or none is %s: %+v", sharedIndicator, out)
	}
	return out
}

// validValue is a value the indicator's unit accepts, different for each client and round.
func validValue(unit string, client, round int) float64 {
	switch unit {
	case domain.UnitPercentage:
		return float64((client*13 + round) % 101)
	case domain.UnitYesNo, domain.UnitMilestone:
		return float64((client + round) % 2)
	default:
		return float64(client*100 + round + 1)
	}
}

// stormClient calls the API with its own token over a shared transport; it
// reports transport errors instead of failing the test, since it runs in a goroutine.
type stormClient struct {
	http   *http.Client
	base   string
	bearer string
}

func (c *stormClient) do(method, path, body string) (int, string, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", c.bearer)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// readVersion reads the period's values as the client may see them and
// returns the target's version (0 when nothing was reported yet).
func (c *stormClient) readVersion(period, indicator string) (int, error) {
	status, body, err := c.do(http.MethodGet, "/api/v1/plans/"+seed.DemoPlanCode+"/values?period="+period, "")
	if err != nil {
		return 0, err
	}
	if status != http.StatusOK {
		return 0, fmt.Errorf("GET values: %d %.300s", status, body)
	}
	var list struct {
		Values []struct {
			Indicator string
			Version   int
		}
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		return 0, err
	}
	for _, v := range list.Values {
		if v.Indicator == indicator {
			return v.Version, nil
		}
	}
	return 0, nil
}

// update reads the target's version and PUTs a new value based on it.
func (c *stormClient) update(period string, target stormTarget, client, round int) putOutcome {
	o := putOutcome{client: client, round: round, indicator: target.Code, value: validValue(target.UnitType, client, round),
		narrative: fmt.Sprintf("client %d, round %d", client, round)}
	o.based, o.err = c.readVersion(period, target.Code)
	if o.err != nil {
		return o
	}
	body := fmt.Sprintf(`{"value": %v, "narrative": %q, "version": %d}`, o.value, o.narrative, o.based)
	path := fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, target.Code, period)
	o.status, o.body, o.err = c.do(http.MethodPut, path, body)
	if o.err != nil {
		return o
	}
	switch o.status {
	case http.StatusOK:
		var v struct {
			Version   int
			Value     *float64
			Narrative string
		}
		if err := json.Unmarshal([]byte(o.body), &v); err != nil {
			o.err = err
		} else if v.Value == nil || *v.Value != o.value || v.Narrative != o.narrative {
			o.err = fmt.Errorf("200 does not echo the value sent: %.300s", o.body)
		}
		o.version = v.Version
	case http.StatusConflict:
		var e apiError
		if err := json.Unmarshal([]byte(o.body), &e); err != nil {
			o.err = err
		}
		o.current, o.changedBy = e.Error.Current, e.Error.ChangedBy
	}
	return o
}

// TestConcurrentValueUpdates lets many API clients (focal points of MOLSW
// and the secretariat) read and update the same value and other values of
// the current period at once, each PUT carrying the version it read. Every
// acknowledged save must be kept — in the value's version count and in the
// audit log — and every refused one must be a 409 naming the current
// version and its author: no lost update, no error, no timeout. The same 50
// clients run on SQLite, whose writers queue on one lock, and on PostgreSQL,
// where they wait on row locks.
func TestConcurrentValueUpdates(t *testing.T) {
	t.Parallel()
	const clients, rounds = 50, 8
	env := apptest.New(t)
	db := env.App.DB
	plan := mustPlan(t, env)
	period := domain.CurrentPeriodLabel(*plan, env.Clock.Now().UTC())
	targets := molswTargets(t, env, plan.ID)
	var periodID int64
	if err := db.Table("reporting_periods").Select("id").Where("plan_id = ? AND label = ?", plan.ID, period).Scan(&periodID).Error; err != nil || periodID == 0 {
		t.Fatalf("period %s: %v", period, err)
	}
	for i := range targets {
		db.Table("indicator_values").Select("indicator_values.version").
			Joins("JOIN indicators ON indicators.id = indicator_values.indicator_id").
			Where("indicators.plan_id = ? AND indicators.code = ? AND indicator_values.period_id = ?", plan.ID, targets[i].Code, periodID).
			Scan(&targets[i].initial)
	}

	users := []*domain.User{env.User(t, domain.RoleSecretariat, "")}
	for range 5 {
		users = append(users, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	}
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	storm := make([]*stormClient, clients)
	for i := range storm {
		storm[i] = &stormClient{http: httpClient, base: env.Server.URL, bearer: env.APIClient(t, users[i%len(users)]).Header.Get("Authorization")}
	}

	// Half the updates go to the shared value, the rest spread over the others.
	results := make([][]putOutcome, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range storm {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for r := range rounds {
				target := targets[0]
				if (i+r)%2 == 1 {
					target = targets[1+(i*rounds+r)%(len(targets)-1)]
				}
				results[i] = append(results[i], storm[i].update(period, target, i, r))
			}
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%d clients × %d read-then-PUT rounds in %s", clients, rounds, time.Since(began).Round(time.Millisecond))

	acks := map[string][]putOutcome{}
	conflicts := map[string]int{}
	latest := map[string]int{} // the highest current_version a 409 named
	for _, rs := range results {
		for _, o := range rs {
			switch {
			case o.err != nil:
				t.Errorf("client %d round %d on %s: %v (status %d)", o.client, o.round, o.indicator, o.err, o.status)
			case o.status == http.StatusOK:
				if o.version != o.based+1 {
					t.Errorf("client %d saved %s on version %d and got version %d, not the next one", o.client, o.indicator, o.based, o.version)
				}
				acks[o.indicator] = append(acks[o.indicator], o)
			case o.status == http.StatusConflict:
				if o.current == nil || *o.current <= o.based || o.changedBy == "" {
					t.Errorf("client %d: 409 on %s (sent version %d) does not name a newer current_version and its author: %.300s", o.client, o.indicator, o.based, o.body)
				} else if *o.current > latest[o.indicator] {
					latest[o.indicator] = *o.current
				}
				conflicts[o.indicator]++
			default:
				t.Errorf("client %d round %d on %s: status %d, want 200 or 409: %.300s", o.client, o.round, o.indicator, o.status, o.body)
			}
		}
	}
	if conflicts[sharedIndicator] == 0 || len(acks[sharedIndicator]) < 2 {
		t.Errorf("the shared value saw %d saves and %d conflicts: the clients did not race", len(acks[sharedIndicator]), conflicts[sharedIndicator])
	}
	for _, target := range targets {
		final := checkAcknowledged(t, env, plan.ID, periodID, target, acks[target.Code])
		if latest[target.Code] > final {
			t.Errorf("%s: a 409 named version %d, but the value ended at version %d", target.Code, latest[target.Code], final)
		}
	}
	t.Logf("acknowledged saves: %d on %s, %d on %d other values; conflicts: %d on %s, %d on the others",
		len(acks[sharedIndicator]), sharedIndicator, total(acks)-len(acks[sharedIndicator]), len(targets)-1,
		conflicts[sharedIndicator], sharedIndicator, sum(conflicts)-conflicts[sharedIndicator])
}

// checkAcknowledged checks one value after the storm: the acknowledged saves
// hold consecutive versions above the initial one, none twice; the row is at
// the last of them with its content; and each appears in the audit log,
// which holds no other save. It returns the value's final version.
func checkAcknowledged(t *testing.T, env *apptest.Env, planID, periodID int64, target stormTarget, acks []putOutcome) int {
	t.Helper()
	db := env.App.DB
	sort.Slice(acks, func(i, j int) bool { return acks[i].version < acks[j].version })
	lost := false
	for i := 1; i < len(acks); i++ {
		if acks[i-1].version == acks[i].version {
			t.Errorf("%s: clients %d and %d were both told their save made version %d (a lost update)", target.Code, acks[i-1].client, acks[i].client, acks[i].version)
			lost = true
		}
	}
	for i, a := range acks {
		if !lost && a.version != target.initial+i+1 {
			t.Errorf("%s: acknowledged versions jump from %d to %d", target.Code, target.initial+i, a.version)
			break
		}
	}
	var row domain.IndicatorValue
	err := db.Joins("JOIN indicators ON indicators.id = indicator_values.indicator_id").
		Where("indicators.plan_id = ? AND indicators.code = ? AND indicator_values.period_id = ?", planID, target.Code, periodID).
		Take(&row).Error
	if len(acks) == 0 {
		if err == nil && row.Version != target.initial {
			t.Errorf("%s: no save was acknowledged, yet the value moved from version %d to %d", target.Code, target.initial, row.Version)
		}
		return row.Version
	}
	if err != nil {
		t.Fatalf("%s: %d saves acknowledged, but the value cannot be read: %v", target.Code, len(acks), err)
	}
	last := acks[len(acks)-1]
	if row.Version != target.initial+len(acks) {
		t.Errorf("%s: version %d after %d acknowledged saves from version %d", target.Code, row.Version, len(acks), target.initial)
	}
	if row.Value == nil || *row.Value != last.value || row.Narrative != last.narrative {
		t.Errorf("%s holds %v %q, not the last acknowledged save %v %q", target.Code, row.Value, row.Narrative, last.value, last.narrative)
	}

	var entries []domain.AuditEntry
	if err := db.Where("action = ? AND entity_type = ? AND entity_id = ?", "value.save", "indicator_value", row.ID).Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	type snapshot struct {
		Value     *float64
		Narrative string
		Version   int
	}
	audited := map[int]snapshot{}
	for _, e := range entries {
		var s snapshot
		if err := json.Unmarshal([]byte(e.NewValue), &s); err != nil {
			t.Fatalf("audit entry %d: %v", e.ID, err)
		}
		if s.Version <= target.initial {
			continue
		}
		if _, dup := audited[s.Version]; dup {
			t.Errorf("%s: two audited saves made version %d", target.Code, s.Version)
		}
		audited[s.Version] = s
	}
	if len(audited) != len(acks) {
		t.Errorf("%s: %d saves in the audit log, %d acknowledged", target.Code, len(audited), len(acks))
	}
	for _, a := range acks {
		s, ok := audited[a.version]
		if !ok || s.Value == nil || *s.Value != a.value || s.Narrative != a.narrative {
			t.Errorf("%s: the acknowledged save of client %d (version %d, %v %q) is not in the audit log (found %+v)", target.Code, a.client, a.version, a.value, a.narrative, s)
		}
	}
	return row.Version
}

func total(m map[string][]putOutcome) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
