package apptest

import (
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// AxeViolation is one rule that axe-core found broken on a page, with the
// selectors of the first elements that break it, so that a failing test
// says where to look.
type AxeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
}

// Serious reports whether the violation is one a user of assistive
// technology cannot work around (axe's "serious" or "critical").
func (v AxeViolation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// String is the violation in one readable line.
func (v AxeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s — %d element(s), e.g. %s", v.ID, v.Impact, v.Help, v.Nodes, strings.Join(v.Targets, " | "))
}

// axeRun runs axe on the whole document for violations only and returns a
// small JSON-able summary: the first three nodes' targets per rule (a
// target inside a frame or shadow root is a list, joined with " >>> ").
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.length,
	targets: v.nodes.slice(0, 3).map(n => [].concat(n.target).map(t => [].concat(t).join(" >>> ")).join(" "))
})))`

// Axe injects axe-core (the script's source, which the test reads from its
// vendored copy, never served by the application) into the browser's current
// page unless it is already there, runs it, and returns the violations.
func (b *Browser) Axe(script []byte) []AxeViolation {
	b.t.Helper()
	loaded, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		b.t.Fatalf("axe: %v", err)
	}
	if !loaded {
		if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[chromedp.Void](string(script))); err != nil {
			b.t.Fatalf("inject axe-core: %v", err)
		}
	}
	out, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]AxeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("run axe-core: %v", err)
	}
	return out
}
