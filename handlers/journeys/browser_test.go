package journeys

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// StepTimeout bounds each step of a journey (a page load, a click, a fill),
// so that a broken journey fails in seconds instead of hanging.
const StepTimeout = 15 * time.Second

// startTimeout bounds starting Chromium and opening a tab.
const startTimeout = 30 * time.Second

// Viewport is the screen a page is shown on.
type Viewport struct {
	Name          string
	Width, Height int64
	Mobile        bool // a phone: mobile layout, touch input and a phone's user agent
}

// The screens journeys use: a laptop, and a small phone as students carry.
var (
	Desktop = Viewport{Name: "desktop", Width: 1280, Height: 900}
	Phone   = Viewport{Name: "phone", Width: 360, Height: 740, Mobile: true}
)

const phoneUserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"

// FindChromium returns the browser to drive: $ROUNDS_CHROMIUM, else
// /usr/bin/chromium, else chromium, chromium-browser or google-chrome on the
// PATH. When there is none it returns "" and why.
func FindChromium() (path, reason string) {
	if p := os.Getenv("ROUNDS_CHROMIUM"); p != "" {
		if found, err := exec.LookPath(p); err == nil {
			return found, ""
		}
		return "", fmt.Sprintf("ROUNDS_CHROMIUM=%s is not an executable", p)
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(name); err == nil {
			return found, ""
		}
	}
	return "", "no Chromium found (apt-get install -y chromium, or set ROUNDS_CHROMIUM)"
}

// skipWithoutChromium returns Chromium's path, or skips the test (fails it
// if ROUNDS_REQUIRE_BROWSER=1) with a one-line reason.
func skipWithoutChromium(t testing.TB) string {
	t.Helper()
	path, reason := FindChromium()
	if path == "" {
		if requireBrowser() {
			t.Fatalf("e2e: %s, and ROUNDS_REQUIRE_BROWSER=1", reason)
		}
		t.Skipf("e2e: browser journey skipped: %s", reason)
	}
	return path
}

// Browser is one headless Chromium for one test. Each Page opened on it has
// its own cookies, as a different person on a different device would.
type Browser struct {
	t    testing.TB
	site *Site
	ctx  context.Context
	dir  string // this test's screenshots

	mu    sync.Mutex
	shots int
	axe   axeState
}

// NewBrowser starts Chromium for the test and closes it when the test ends.
// Without Chromium the test is skipped, or fails if ROUNDS_REQUIRE_BROWSER=1.
func NewBrowser(t testing.TB, site *Site) *Browser {
	t.Helper()
	path := skipWithoutChromium(t)
	b := &Browser{t: t, site: site, dir: artifactDir(t)}

	out := &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI and developers' machines run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.WindowSize(int(Desktop.Width), int(Desktop.Height)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.CombinedOutput(out),
	)
	actx, stopAllocator := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, stopBrowser := chromedp.NewContext(actx)
	b.ctx = ctx
	t.Cleanup(func() {
		stopBrowser()
		stopAllocator() // waits for Chromium to exit, before its profile folder is removed
		if t.Failed() {
			t.Logf("screenshots of this journey are in %s", b.dir)
			if s := chromiumOutput(out.String()); s != "" {
				t.Logf("Chromium's output:\n%s", s)
			}
		} else if os.Getenv("ROUNDS_E2E_KEEP_ARTIFACTS") != "1" {
			_ = os.RemoveAll(b.dir)
		}
	})
	// The first action starts Chromium, whose life is bound to the context
	// it runs on, so it gets no deadline; a browser that never answers is
	// given up on all the same.
	if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("e2e: start Chromium (%s): %v\n%s", path, err, chromiumOutput(out.String()))
	}
	return b
}

// artifactDir is where the test's screenshots go: $ROUNDS_E2E_ARTIFACTS (by
// default test-artifacts/e2e at the repository root), then the test's name.
// What a previous run left there is removed.
func artifactDir(t testing.TB) string {
	root := os.Getenv("ROUNDS_E2E_ARTIFACTS")
	if root == "" {
		repo, err := RepoRoot()
		if err != nil {
			t.Fatalf("e2e: %v", err)
		}
		root = filepath.Join(repo, "test-artifacts", "e2e")
	}
	dir := filepath.Join(root, filepath.FromSlash(unsafeChars.ReplaceAllString(t.Name(), "_")))
	_ = os.RemoveAll(dir)
	return dir
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._/-]+`)

// within runs fn but gives up waiting after d.
func within(d time.Duration, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("no answer within %s", d)
	}
}

// chromiumOutput is the end of what Chromium printed, less the complaints
// about D-Bus, which containers do not run and which do not matter.
func chromiumOutput(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" && !strings.Contains(l, "dbus") && !strings.Contains(l, "unexpected operator") {
			lines = append(lines, l)
		}
	}
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// PageOption changes how a page is opened.
type PageOption func(*Page)

// WithoutJavaScript opens the page with scripts switched off, to check that
// every flow works as a plain HTML form. The harness's own probes still run.
func WithoutJavaScript() PageOption { return func(p *Page) { p.noJS = true } }

// NewPage opens a tab for one actor (the name appears in screenshots and
// failures) on the given screen, with cookies of its own.
func (b *Browser) NewPage(actor string, vp Viewport, opts ...PageOption) *Page {
	b.t.Helper()
	p := &Page{b: b, t: b.t, actor: actor, vp: vp, requests: map[string]request{}}
	p.Scope = Scope{p: p}
	for _, o := range opts {
		o(p)
	}
	ctx, closeTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.listen))
	p.ctx = ctx
	b.t.Cleanup(closeTab)
	// As for the browser, the first action opens the tab and takes no deadline.
	if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		b.t.Fatalf("e2e: open a tab for %s: %v", actor, err)
	}
	p.run("set up the "+vp.Name+" screen", p.emulate())
	return p
}

// emulate sets the page's screen, input and, without JavaScript, switches
// scripts off.
func (p *Page) emulate() chromedp.Action[chromedp.Void] {
	var screen []chromedp.EmulateViewportOption
	if p.vp.Mobile {
		screen = append(screen, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.Steps(
		chromedp.EmulateViewport(p.vp.Width, p.vp.Height, screen...),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if p.vp.Mobile {
				if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
					UserAgent: phoneUserAgent, AcceptLanguage: "en-GB", Platform: "Linux armv8l",
				}); err != nil {
					return err
				}
			}
			if p.noJS {
				_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}
			return nil
		}),
	)
}

// nextShot numbers screenshots in the order they were taken, across pages.
func (b *Browser) nextShot() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.shots++
	return b.shots
}

// isTimeout tells whether err is a step running out of time.
func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}
