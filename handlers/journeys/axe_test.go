package journeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// AxeTags are the axe-core rule sets run: WCAG 2.0, 2.1 and 2.2 at levels A
// and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// Violation is one accessibility rule that a page breaks, as axe-core
// reports it.
type Violation struct {
	Rule    string          `json:"id"`
	Impact  string          `json:"impact"` // serious or critical (lesser ones are not reported)
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks the rule.
type ViolationNode struct {
	Target  []any  `json:"target"` // CSS selectors leading to the element
	HTML    string `json:"html"`
	Summary string `json:"failureSummary"`
}

// String describes the violation for a person fixing it.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s — %s", v.Rule, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n      at %v\n        %s", n.Target, n.HTML)
		for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
			fmt.Fprintf(&b, "\n        %s", strings.TrimSpace(line))
		}
	}
	return b.String()
}

// axeState is axe-core's source, read once per browser.
type axeState struct {
	once   sync.Once
	src    string
	reason string // why there is no source
	warned bool   // the test was told that checks are skipped; under Browser.mu
}

// errNoAxe is returned by Accessibility when axe-core is not installed.
var errNoAxe = errors.New("axe-core is not installed")

func (b *Browser) axeSource() (string, string) {
	b.axe.once.Do(func() {
		repo, err := RepoRoot()
		if err != nil {
			b.axe.reason = err.Error()
			return
		}
		file := filepath.Join(repo, "node_modules", "axe-core", "axe.min.js")
		src, err := os.ReadFile(file)
		if err != nil {
			b.axe.reason = fmt.Sprintf("%s is missing (run 'npm ci' at the repository root)", file)
			return
		}
		b.axe.src = string(src)
	})
	return b.axe.src, b.axe.reason
}

// Accessibility runs axe-core's WCAG 2.2 AA rules on the page as it is and
// returns the serious and critical violations. It returns errNoAxe when
// axe-core is not installed.
func (p *Page) Accessibility() ([]Violation, error) {
	src, reason := p.b.axeSource()
	if src == "" {
		return nil, fmt.Errorf("%w: %s", errNoAxe, reason)
	}
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	if p.noJS {
		// axe-core needs timers, which stop with the page's scripts. Turning
		// them on now runs none of the page's own scripts, which were skipped
		// at load, so axe sees the page as it is without JavaScript.
		if err := setScripts(ctx, true); err != nil {
			return nil, err
		}
		defer func() { _ = setScripts(p.ctx, false) }()
	}
	// axe is injected through DevTools, which the page's Content Security
	// Policy does not govern, once per document.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(AxeTags)
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {
		runOnly: {type: "tag", values: `+string(tags)+`},
		resultTypes: ["violations"]
	}).then(function (r) {
		return JSON.stringify(r.violations.filter(function (v) {
			return v.impact === "serious" || v.impact === "critical";
		}).map(function (v) {
			return {id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
				nodes: v.nodes.map(function (n) { return {target: n.target, html: n.html, failureSummary: n.failureSummary}; })};
		}));
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		if isTimeout(err) {
			return nil, fmt.Errorf("axe-core gave no result within %s", StepTimeout)
		}
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		return nil, fmt.Errorf("read axe-core's result: %w", err)
	}
	return vs, nil
}

// ExpectAccessible fails the test (and lets it go on) if the page has
// serious or critical WCAG 2.2 AA violations, listing each with the
// elements concerned. Without axe-core the check is skipped with a note,
// or fails if ROUNDS_REQUIRE_BROWSER=1.
func (p *Page) ExpectAccessible() {
	p.t.Helper()
	vs, err := p.Accessibility()
	if errors.Is(err, errNoAxe) {
		if requireBrowser() {
			p.t.Fatalf("e2e: %v, and ROUNDS_REQUIRE_BROWSER=1", err)
		}
		p.b.mu.Lock()
		warned := p.b.axe.warned // the note is given once per browser
		p.b.axe.warned = true
		p.b.mu.Unlock()
		if !warned {
			p.t.Logf("e2e: accessibility checks skipped: %v", err)
		}
		return
	}
	if err != nil {
		p.fatalf("accessibility check: %v", err)
	}
	if len(vs) == 0 {
		return
	}
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	p.t.Errorf("%s's page %s has %d serious or critical accessibility problem(s):\n  %s",
		p.actor, p.where(), len(vs), strings.Join(lines, "\n  "))
}

// setScripts switches the page's script execution on or off.
func setScripts(ctx context.Context, on bool) error {
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
	return err
}
