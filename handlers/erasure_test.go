package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"rounds/models"
)

// erasureLink is the cancel link of the member's newest erasure_scheduled
// e-mail, as a path.
func erasureLink(t *testing.T, a *app, userID int64) string {
	t.Helper()
	var m models.OutboxMessage
	if err := a.db.Read(t.Context()).Where("user_id = ? AND kind = ?", userID, models.MailErasureScheduled).Order("id DESC").Take(&m).Error; err != nil {
		t.Fatalf("no erasure e-mail: %v", err)
	}
	link := m.DataMap()["link"]
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/erasure/cancel/") {
		t.Fatalf("link %q", link)
	}
	return u.Path
}

func TestEraseAccountAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, tok := a.user("leaving@example.ac.uk", models.RoleStudent, intp(4))
		want := a.clock.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
		res := a.api("DELETE", "/api/v1/me", nil, tok)
		if res.Status != http.StatusAccepted || res.json(t)["erase_at"] != want {
			t.Fatalf("DELETE /me: %d %s, want 202 erase_at %s", res.Status, res.Body, want)
		}
		a.clock.Advance(24 * time.Hour)
		res = a.api("DELETE", "/api/v1/me", nil, tok)
		if res.Status != http.StatusOK || res.json(t)["erase_at"] != want {
			t.Fatalf("asked again: %d %s, want 200 and the same day", res.Status, res.Body)
		}
		erasureLink(t, a, u.ID) // the e-mail is on its way
		res = a.api("POST", "/api/v1/me/erasure/cancel", nil, tok)
		if res.Status != http.StatusOK || res.json(t)["cancelled"] != true {
			t.Fatalf("cancel: %d %s", res.Status, res.Body)
		}
		res = a.api("POST", "/api/v1/me/erasure/cancel", nil, tok)
		if res.Status != http.StatusOK || res.json(t)["cancelled"] != false {
			t.Fatalf("cancel again: %d %s", res.Status, res.Body)
		}
		if res := a.api("DELETE", "/api/v1/me", nil, ""); res.Status != http.StatusUnauthorized {
			t.Errorf("anonymous DELETE /me: %d", res.Status)
		}

		// Asked again, carried out on the day: the token and the password no
		// longer work, and committee reads the request as done.
		if res := a.api("DELETE", "/api/v1/me", nil, tok); res.Status != http.StatusAccepted {
			t.Fatalf("asked again after cancelling: %d %s", res.Status, res.Body)
		}
		if _, err := models.CarryOutErasures(t.Context(), a.db, 2, a.clock.Now().Add(7*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if res := a.api("GET", "/api/v1/me", nil, tok); res.Status != http.StatusUnauthorized {
			t.Errorf("the erased member's token: %d", res.Status)
		}
		res = a.api("POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": "correct horse battery"}, "")
		if res.Status != http.StatusUnauthorized {
			t.Errorf("the erased member logs in: %d %s", res.Status, res.Body)
		}
		_, ctok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		res = a.api("GET", "/api/v1/admin/data-requests", nil, ctok)
		reqs, _ := res.json(t)["requests"].([]any)
		if res.Status != http.StatusOK || len(reqs) != 2 {
			t.Fatalf("data requests: %d %s", res.Status, res.Body)
		}
		newest := reqs[0].(map[string]any)
		if newest["status"] != "done" || newest["member_name"] != models.ErasedName || newest["by"] != "member" || newest["kind_label"] != "Erasure of their account" {
			t.Errorf("newest request: %v", newest)
		}
		if reqs[1].(map[string]any)["status_label"] != "Cancelled by the member" {
			t.Errorf("first request: %v", reqs[1])
		}
		// The address signs up afresh.
		res = a.api("POST", "/api/v1/auth/register", map[string]any{"email": u.Email, "name": "Back Again", "password": "a new long password", "year_of_study": 5}, "")
		if res.Status != http.StatusCreated {
			t.Errorf("signing up again: %d %s", res.Status, res.Body)
		}
	})
}

func TestEraseAccountPages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, _ := a.user("pages@example.ac.uk", models.RoleTeacher, nil)
		cert, err := models.IssueTeachingCertificate(t.Context(), a.db, u, a.clock.Now().AddDate(0, -6, 0), a.clock.Now(), 3, a.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		b := a.browser()
		b.login(u.Email, "correct horse battery")
		contains(t, b.get("/account"), "Delete my account", `href="/account/delete"`)
		page := b.get("/account/delete")
		contains(t, page, "What we erase", "What we keep", "Your password, to confirm", "Delete my account in 7 days")

		res := b.post("/account/delete", "/account/delete", url.Values{"password": {"not my password"}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password: %d", res.Status)
		}
		contains(t, res, "That is not your password.")
		if w, _ := models.WaitingErasure(t.Context(), a.db, u.ID); w != nil {
			t.Fatal("scheduled with a wrong password")
		}
		res = b.post("/account/delete", "/account/delete", url.Values{"password": {"correct horse battery"}})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/account/delete" {
			t.Fatalf("confirmed: %d %s", res.Status, res.Header.Get("Location"))
		}
		day := a.clock.Now().Add(7 * 24 * time.Hour).In(a.cfg.Location).Format("Mon 2 Jan 2006")
		contains(t, b.get("/account/delete"), "Your account will be deleted", day, "Cancel: keep my account")
		contains(t, b.get("/account"), "Your account will be deleted on <strong>"+day)
		res = b.post("/account", "/account/delete/cancel", url.Values{})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
			t.Fatalf("cancel: %d %s", res.Status, res.Header.Get("Location"))
		}
		if w, _ := models.WaitingErasure(t.Context(), a.db, u.ID); w != nil {
			t.Fatal("still waiting after Cancel")
		}

		// Again, and kept with the e-mail's link: opening it changes
		// nothing (mail scanners open links); the button does, once, without
		// logging in, and not without the page's CSRF token.
		if res := b.post("/account/delete", "/account/delete", url.Values{"password": {"correct horse battery"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("asked again: %d", res.Status)
		}
		link := erasureLink(t, a, u.ID)
		visitor := a.browser()
		contains(t, visitor.get(link), "Keep your account?", "Keep my account", day)
		if w, _ := models.WaitingErasure(t.Context(), a.db, u.ID); w == nil {
			t.Fatal("opening the link called the erasure off")
		}
		if res := visitor.postRaw(link, url.Values{}); res.Status != http.StatusForbidden {
			t.Errorf("without the CSRF token: %d", res.Status)
		}
		res = visitor.post(link, link, url.Values{})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != link {
			t.Fatalf("Keep my account: %d %s", res.Status, res.Header.Get("Location"))
		}
		contains(t, visitor.get(link), "Your account stays")
		if res := visitor.get(link + "x"); res.Status != http.StatusNotFound {
			t.Errorf("an altered link: %d", res.Status)
		}

		// Once more, and carried out: the verification page says withdrawn
		// and the PDF is gone; sessions' pages and the account are out of reach.
		if res := b.post("/account/delete", "/account/delete", url.Values{"password": {"correct horse battery"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("asked a third time: %d", res.Status)
		}
		last := erasureLink(t, a, u.ID)
		if last == link {
			t.Fatal("the third request has the second's link")
		}
		contains(t, visitor.get("/certificates/"+cert.Code), "Genuine")
		if _, err := models.CarryOutErasures(t.Context(), a.db, 2, a.clock.Now().Add(7*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		page = visitor.get("/certificates/" + cert.Code)
		contains(t, page, "Certificate withdrawn", cert.Code)
		if strings.Contains(string(page.Body), "pages") || strings.Contains(string(page.Body), "Genuine") {
			t.Errorf("the withdrawn certificate still shows its facts: %s", page.Body)
		}
		if res := visitor.get("/certificates/" + cert.Code + ".pdf"); res.Status != http.StatusNotFound {
			t.Errorf("the PDF of a withdrawn certificate: %d", res.Status)
		}
		if res := b.get("/account"); res.Status != http.StatusSeeOther {
			t.Errorf("the erased member's browser still reaches their account: %d", res.Status)
		}
		contains(t, visitor.get(last), "Your account has been deleted")
		contains(t, visitor.get(link), "Your account stays") // the old link, of the request called off

		chair, _ := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		cb := a.browser()
		cb.login(chair.Email, "correct horse battery")
		contains(t, cb.get("/committee/requests"), "Members&#39; requests about their data", "Erasure of their account", "Cancelled by the member", "Done", models.ErasedName)
		contains(t, cb.get("/committee/audit"), "Erased a member&#39;s account", "Member #")
	})
}

// A member without a password (single sign-on) types DELETE instead.
func TestEraseAccountWithoutPassword(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, _ := a.user("sso@example.ac.uk", models.RoleStudent, intp(2))
		b := a.browser()
		b.login(u.Email, "correct horse battery")
		if err := a.db.Write(t.Context(), func(tx *gorm.DB) error {
			return tx.Exec("UPDATE users SET password_hash = '' WHERE id = ?", u.ID).Error
		}); err != nil {
			t.Fatal(err)
		}
		contains(t, b.get("/account/delete"), "Type DELETE to confirm")
		res := b.post("/account/delete", "/account/delete", url.Values{"confirm": {"yes"}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("yes: %d", res.Status)
		}
		contains(t, res, "Type DELETE, in capitals, to confirm.")
		if res := b.post("/account/delete", "/account/delete", url.Values{"confirm": {"DELETE"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("DELETE: %d", res.Status)
		}
	})
}
