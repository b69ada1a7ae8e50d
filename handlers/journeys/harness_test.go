package journeys

import (
	"fmt"
	"strings"
	"testing"
)

// TestHarnessSeesProblems checks the checks: a page with an unlabelled
// field, an image without alternative text, a missing file and a console
// error must be caught, or a passing journey would prove nothing.
func TestHarnessSeesProblems(t *testing.T) {
	_, br := Start(t)
	p := br.NewPage("visitor", Desktop)
	p.Visit("/login")
	if problems := p.takeProblems(); len(problems) > 0 {
		t.Fatalf("the log-in page already has problems: %v", problems)
	}
	p.run("break the page", evaluateVoid(`
		document.querySelector("main").insertAdjacentHTML("beforeend",
			'<img src="/static/no-such-file.png" width="10" height="10"><input id="unlabelled">');
		console.error("something broke");`))
	p.Fill("E-mail address", "someone@example.ac.uk") // a step, so the image has time to fail

	problems := strings.Join(p.takeProblems(), "\n")
	for _, want := range []string{"/static/no-such-file.png answered 404", "console.error: something broke"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems do not mention %q:\n%s", want, problems)
		}
	}

	vs, err := p.Accessibility()
	if err != nil {
		if requireBrowser() || !strings.Contains(err.Error(), "not installed") {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	rules := map[string]bool{}
	for _, v := range vs {
		rules[v.Rule] = true
	}
	for _, want := range []string{"image-alt", "label"} {
		if !rules[want] {
			t.Errorf("axe-core did not report %s; it reported %v", want, vs)
		}
	}
}

// TestFindReportsWhatIsThere checks that a field that is not on the page is
// reported with the names that are, so a failing journey says what to fix.
func TestFindReportsWhatIsThere(t *testing.T) {
	_, br := Start(t)
	p := br.NewPage("visitor", Phone)
	p.Visit("/login")
	f := evaluate[found](p, "find", p.findExpr("control", "Username", "probe"))
	if !strings.Contains(f.Error, `no form field labelled "Username"`) || !strings.Contains(f.Error, `"E-mail address", "Password"`) {
		t.Errorf("find of a missing field says %q", f.Error)
	}
	if got := p.Row("nobody").findExpr("clickable", "Save", "probe"); !strings.Contains(got, `"scope"`) {
		t.Errorf("a row's search carries no scope: %s", got)
	}
}

// TestHarnessSeesSidewaysPanning checks ExpectFitsScreen: a phone page
// with something wider than the screen, outside a scrolling box, is caught.
func TestHarnessSeesSidewaysPanning(t *testing.T) {
	_, br := Start(t)
	p := br.NewPage("visitor", Phone)
	p.Visit("/login")
	rec := &recorder{TB: t}
	p.t = rec
	p.ExpectFitsScreen()
	if len(rec.errors) > 0 {
		t.Fatalf("the log-in page does not fit a phone: %v", rec.errors)
	}
	p.run("widen the page", evaluateVoid(
		`var el = document.createElement("p");
		el.id = "wide";
		el.textContent = "far out";
		el.style.position = "absolute"; // set through the DOM: the CSP refuses style attributes
		el.style.left = "500px";
		document.querySelector("main").appendChild(el);`))
	p.ExpectFitsScreen()
	p.t = t
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], `id="wide"`) {
		t.Errorf("a page 500px wide on a phone gave %q", rec.errors)
	}
}

// recorder keeps a test's errors instead of failing it, to test checks.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
