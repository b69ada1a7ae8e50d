package journeys

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// startSiteByName is StartSite with the site reached as localhost rather
// than 127.0.0.1: a passkey belongs to a domain name, and browsers refuse
// WebAuthn on an IP address.
func startSiteByName(t *testing.T) *Site {
	t.Helper()
	return startSite(t, "localhost")
}

// addVirtualAuthenticator gives the page's tab Chromium's virtual
// authenticator: a platform passkey (CTAP2, internal, resident keys) whose
// screen lock always says yes.
func addVirtualAuthenticator(p *Page) {
	p.t.Helper()
	p.run("add a virtual authenticator", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true,
			},
		})
		return err
	}))
}

// acceptNextDialog answers the next confirm() of the page with OK, as the
// person reading it would, and returns a function that tells what it asked.
func acceptNextDialog(p *Page) func() string {
	p.t.Helper()
	asked := make(chan string, 1)
	p.run("watch for a dialog", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		watch, cancel := context.WithTimeout(context.Background(), StepTimeout)
		events := cdp.Events(watch, t, page.JavascriptDialogOpening)
		go func() {
			defer cancel()
			for ev, err := range events {
				if err != nil {
					return
				}
				asked <- ev.Message
				_, _ = cdp.Call(watch, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				return
			}
		}()
		return nil
	}))
	return func() string {
		select {
		case m := <-asked:
			return m
		case <-time.After(StepTimeout):
			return ""
		}
	}
}

// waitForPage waits until a page that a script loaded shows want.
func waitForPage(p *Page, want string) {
	p.t.Helper()
	deadline := time.Now().Add(StepTimeout)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, time.Second)
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.readyState === "complete" && document.body) ? document.body.innerText : ""`))
		cancel()
		text = strings.Join(strings.Fields(text), " ")
		if err == nil && strings.Contains(text, want) {
			return
		}
		if time.Now().After(deadline) {
			p.fatalf("after %s the page does not show %q: %s", StepTimeout, want, excerpt(text))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPasskeyJourney: a member adds a passkey on their account page, logs
// out, signs in with it from the log-in page without typing anything,
// renames it and removes it, in Chromium with its virtual authenticator,
// on a laptop and on a phone.
func TestPasskeyJourney(t *testing.T) {
	skipWithoutChromium(t)
	for _, vp := range []Viewport{Desktop, Phone} {
		t.Run(vp.Name, func(t *testing.T) {
			site := startSiteByName(t)
			br := NewBrowser(t, site)
			passkeyJourney(t, site, br, vp)
		})
	}
}

func passkeyJourney(t *testing.T, site *Site, br *Browser, vp Viewport) {
	const (
		name  = "Grace Okafor"
		email = "grace.okafor@example.ac.uk"
	)
	site.CreateUser(t, Member{Name: name, Email: email, Year: 4})

	// Without JavaScript the log-in page says a passkey needs it.
	plain := br.NewPage("visitor without JavaScript", vp, WithoutJavaScript())
	plain.Visit("/login")
	plain.ExpectText("Signing in with a passkey needs JavaScript")
	if plain.Has("Sign in with a passkey") {
		t.Error("without JavaScript the page offers a passkey button that cannot work")
	}

	p := br.NewPage("member", vp)
	addVirtualAuthenticator(p)
	p.LogIn(email, DefaultPassword)
	p.Visit("/account")
	p.ExpectText("Passkeys", "You have no passkeys yet.")
	p.ExpectNoText("needs JavaScript")
	p.Fill("Name of the new passkey", "Laptop")
	p.Checkpoint("account-before-passkey")
	p.ClickInPlace("Add a passkey") // the page's script talks to the passkey, then loads the page again
	waitForPage(p, "Your passkey “Laptop” is added.")
	p.ExpectPath("/account")
	p.ExpectText("Your passkey “Laptop” is added.", "Laptop", "not used yet")
	p.ExpectNoText("You have no passkeys yet.")
	p.ExpectFitsScreen()
	p.ExpectAccessible()
	p.Checkpoint("passkey-added")

	// Logged out, they sign in with it: no e-mail address, no password.
	p.LogOut()
	p.ExpectPath("/login")
	p.ExpectText("Or use a passkey")
	p.ExpectAccessible()
	p.Checkpoint("login-with-passkey-offered")
	p.ClickInPlace("Sign in with a passkey")
	waitForPage(p, "Hello, "+name)
	p.ExpectPath("/")
	p.ExpectHeading("Hello, " + name)
	p.ExpectText("You are logged in with your passkey “Laptop”.")
	p.Checkpoint("signed-in-with-passkey")

	// The account page says when it was last used; they rename it.
	p.Visit("/account")
	p.ExpectText("last used")
	p.ExpectNoText("not used yet")
	p.Fill("Name of this passkey", "Work laptop")
	if status := p.Click("Rename"); status != 200 {
		t.Fatalf("renaming answered %d", status)
	}
	p.ExpectText("Your passkey is now called “Work laptop”.")
	p.Checkpoint("passkey-renamed")

	// And remove it, after saying yes to the question.
	asked := acceptNextDialog(p)
	if status := p.Click("Remove"); status != 200 {
		t.Fatalf("removing answered %d", status)
	}
	if q := asked(); !strings.Contains(q, "Remove the passkey “Work laptop”?") {
		t.Errorf("before removing, the page asked %q", q)
	}
	p.ExpectText("The passkey is removed", "You have no passkeys yet.")
	p.ExpectNoText("Work laptop")
	p.ExpectNoErrors()
	p.Checkpoint("passkey-removed")

	// The passkey is still on the device, but Rounds no longer knows it.
	p.LogOut()
	p.ClickInPlace("Sign in with a passkey")
	waitUntil(t, p.Scope, "Rounds does not know this passkey", StepTimeout)
	p.ExpectPath("/login")
	// The refusal is the finish's 401, and nothing else went wrong.
	for _, problem := range p.takeProblems() {
		if !strings.Contains(problem, "/api/v1/auth/passkeys/login/finish answered 401") {
			t.Errorf("after the refused passkey: %s", problem)
		}
	}
	p.Screenshot("removed-passkey-refused")
	p.ExpectAccessible()
}
