package journeys

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"rounds/jobs"
	"rounds/models"
)

// TestExportJourney: a member asks for their data on the account page, on a
// laptop and on a phone; the export job runs; the link in the e-mail
// downloads the ZIP with the member's cookies, once, and the second time
// the page says the link has been used.
func TestExportJourney(t *testing.T) {
	site, br := Start(t)
	for _, vp := range []Viewport{Desktop, Phone} {
		email := "ada." + vp.Name + "@example.ac.uk"
		site.CreateUser(t, Member{Name: "Ada Obi", Email: email, Role: models.RoleStudent, Year: 2})
		member := br.NewPage("member", vp)
		member.LogIn(email, DefaultPassword)
		member.Visit("/account")
		member.ExpectText("Download my data", "We e-mail you a link to the file within a few minutes. It works once, for 24 hours.")
		member.Checkpoint("account-" + vp.Name)
		if status := member.Click("Download my data"); status != 200 {
			t.Fatalf("asking for the data answered %d: %s", status, excerpt(member.Text()))
		}
		member.ExpectPath("/account")
		member.ExpectText("We are preparing your data; we'll e-mail you a link within a few minutes.")
		member.Checkpoint("export-asked-" + vp.Name)

		prepareExports(t, site)
		m := mailOf(t, deliverMail(t, site), models.MailDataExportReady, email)
		if !strings.Contains(m.HTML, ">Download my data</a>") {
			t.Errorf("the e-mail has no button:\n%s", m.HTML)
		}
		link := linkIn(t, site, m, `/me/export/[A-Za-z0-9_-]+`)

		member.Visit("/account")
		member.ExpectText("We e-mailed you a link.")
		resp, body := download(member, link)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("the download: %d %v", resp.StatusCode, resp.Header)
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("the download is not a ZIP: %v", err)
		}
		var profile string
		for _, f := range zr.File {
			if f.Name == "profile.csv" {
				rc, _ := f.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				profile = string(b)
			}
		}
		if !strings.Contains(profile, email) || !strings.Contains(profile, "Ada Obi") {
			t.Errorf("profile.csv:\n%s", profile)
		}

		// The link again, as the member opens it from the e-mail.
		if status := member.Visit(strings.TrimPrefix(link, site.URL)); status != http.StatusGone {
			t.Errorf("the link a second time answered %d, want 410", status)
		}
		member.ExpectText("This link has already been used", "Ask for your data again on your account page.")
		member.ExpectHeading("This link no longer works")
		member.Checkpoint("export-link-used-" + vp.Name)
		member.Click("Go to your account page")
		member.ExpectPath("/account")
		member.ExpectText("Download my data")
	}
}

// prepareExports runs the export job once at the site's clock, as the
// scheduler would.
func prepareExports(t *testing.T, site *Site) {
	t.Helper()
	r, err := jobs.New(site.DB, site.Config, site.Clock, nil, jobs.WithOwner("e2e-exports-"+t.Name()))
	if err != nil {
		t.Fatalf("e2e: jobs: %v", err)
	}
	defer func() { _ = r.Shutdown() }()
	ctx, cancel := context.WithTimeout(context.Background(), StepTimeout)
	defer cancel()
	if err := r.PrepareExports(ctx); err != nil {
		t.Fatalf("e2e: prepare exports: %v", err)
	}
}
