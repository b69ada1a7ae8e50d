package handlers_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// prepareExports runs the export job's use case as the job does, with links
// to the test server.
func prepareExports(t *testing.T, a *app) {
	t.Helper()
	set := models.ExportSettings{BaseURL: a.srv.URL, LinkURL: func(s string) string { return a.srv.URL + "/me/export/" + s }}
	if _, err := models.PrepareDataExports(t.Context(), a.db, set, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// exportLink is the path of the latest export link e-mailed to u.
func exportLink(t *testing.T, a *app, u models.User) string {
	t.Helper()
	ms, err := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailDataExportReady, To: u.Email})
	if err != nil || len(ms) == 0 {
		t.Fatalf("no export e-mail to %s: %v", u.Email, err)
	}
	return strings.TrimPrefix(ms[0].DataMap()["link"], a.srv.URL)
}

func TestExportAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, token := a.user("ada@example.ac.uk", models.RoleStudent, intp(2))
		res := a.api("POST", "/api/v1/me/export", nil, token)
		if res.Status != http.StatusAccepted {
			t.Fatalf("export: %d %s", res.Status, res.Body)
		}
		body := res.json(t)
		if r := body["request"].(map[string]any); r["kind"] != "export" || r["status"] != "waiting" || !strings.Contains(body["message"].(string), "within a few minutes") {
			t.Errorf("export answer: %s", res.Body)
		}
		if res := a.api("POST", "/api/v1/me/export", nil, token); res.Status != http.StatusConflict || res.errorCode(t) != "export_in_progress" {
			t.Errorf("a second while the first is prepared: %d %s", res.Status, res.Body)
		}
		if res := a.api("POST", "/api/v1/me/export", nil, ""); res.Status != http.StatusUnauthorized {
			t.Errorf("without a login: %d", res.Status)
		}
		// Two more, each once the one before has been sent; then a fourth
		// within the day is refused with when to ask again.
		for range 2 {
			a.clock.Advance(time.Minute)
			prepareExports(t, a)
			if res := a.api("POST", "/api/v1/me/export", nil, token); res.Status != http.StatusAccepted {
				t.Fatalf("another export: %d %s", res.Status, res.Body)
			}
		}
		a.clock.Advance(time.Minute)
		prepareExports(t, a)
		res = a.api("POST", "/api/v1/me/export", nil, token)
		if res.Status != http.StatusTooManyRequests || res.errorCode(t) != "rate_limited" || res.Header.Get("Retry-After") == "" ||
			!strings.Contains(string(res.Body), "You can ask again in 24 hours") {
			t.Errorf("a fourth within the day: %d %v %s", res.Status, res.Header, res.Body)
		}
		var n int64
		if err := a.db.Read(t.Context()).Model(&models.DataRequest{}).Where("user_id = ? AND kind = ?", u.ID, models.DataExport).Count(&n).Error; err != nil || n != 3 {
			t.Errorf("%d export requests recorded: %v", n, err)
		}
	})
}

func TestExportPageAndLink(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, _ := a.user("ada@example.ac.uk", models.RoleStudent, intp(2))
		a.user("bea@example.ac.uk", models.RoleStudent, intp(2))
		b := a.browser()
		b.login("ada@example.ac.uk", "correct horse battery")
		contains(t, b.get("/account"), `<h2 id="data">Download my data</h2>`, `action="/account/export"`)

		res := b.post("/account", "/account/export", url.Values{})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/account#data" {
			t.Fatalf("asking: %d to %q", res.Status, res.Header.Get("Location"))
		}
		page := b.get("/account")
		contains(t, page, "We are preparing your data; we&#39;ll e-mail you a link within a few minutes.")
		if strings.Contains(string(page.Body), `action="/account/export"`) {
			t.Error("the button is offered while the export is prepared")
		}
		// Asked again (a second tab): back to the page, told it is on its way.
		res = b.postRaw("/account/export", url.Values{"_csrf": {b.csrf("/my/sessions")}})
		if res.Status != http.StatusSeeOther {
			t.Errorf("asking twice: %d", res.Status)
		}
		contains(t, b.get("/account"), "We are already preparing your data")

		// A form from elsewhere, without the token, is refused.
		plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest("POST", a.srv.URL+"/account/export", strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, ck := range b.client.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		if r, err := plain.Do(req); err != nil || r.StatusCode != http.StatusForbidden {
			t.Errorf("without the CSRF token: %v %v", r, err)
		} else {
			r.Body.Close()
		}

		a.clock.Advance(time.Minute)
		prepareExports(t, a)
		contains(t, b.get("/account"), "We e-mailed you a link.", `action="/account/export"`)
		link := exportLink(t, a, u)

		// Someone else with the link, logged in or not, gets nothing.
		anon := a.browser()
		if res := anon.get(link); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("logged out: %d to %q", res.Status, res.Header.Get("Location"))
		}
		bea := a.browser()
		bea.login("bea@example.ac.uk", "correct horse battery")
		res = bea.get(link)
		if res.Status != http.StatusNotFound {
			t.Errorf("another member: %d", res.Status)
		}
		contains(t, res, "No download here", "There is no download at this address for the account you are logged in with.")

		res = b.get(link)
		if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="rounds-data-`) || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("download: %d %v", res.Status, res.Header)
		}
		zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
		if err != nil || len(zr.File) < 2 || zr.File[0].Name != "README.txt" {
			t.Fatalf("the ZIP: %v", err)
		}
		res = b.get(link)
		if res.Status != http.StatusGone {
			t.Errorf("the link again: %d", res.Status)
		}
		contains(t, res, "This link no longer works", "This link has already been used", `<a class="button" href="/account#data">Go to your account page</a>`)
		if res := bea.get(link); res.Status != http.StatusNotFound {
			t.Errorf("another member, once used: %d", res.Status)
		}
	})
}

func TestExportLinkExpires(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, token := a.user("ada@example.ac.uk", models.RoleStudent, intp(2))
		if res := a.api("POST", "/api/v1/me/export", nil, token); res.Status != http.StatusAccepted {
			t.Fatal(res.Status)
		}
		prepareExports(t, a)
		link := exportLink(t, a, u)
		a.clock.Advance(models.ExportLinkTTL)
		b := a.browser()
		b.login("ada@example.ac.uk", "correct horse battery")
		res := b.get(link)
		if res.Status != http.StatusGone {
			t.Errorf("after 24 hours: %d", res.Status)
		}
		contains(t, res, "This link has expired")
		page := b.get("/account")
		if strings.Contains(string(page.Body), "We e-mailed you a link.") {
			t.Error("the account page still offers an expired link")
		}
	})
}
