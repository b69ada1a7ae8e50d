package handlers_test

import (
	"net/http"
	"testing"

	"rounds/models"
)

// The outbox page names each e-mail's kind and status in words; the API
// keeps their values.
func TestOutboxPageSaysKindAndStatusInWords(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		res := a.api("POST", "/api/v1/auth/register", map[string]any{
			"email": "ada@example.ac.uk", "name": "Ada", "password": "long enough pw", "year_of_study": 2}, "")
		if res.Status != http.StatusCreated {
			t.Fatalf("register: %d %s", res.Status, res.Body)
		}
		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		page := b.get("/committee/outbox")
		contains(t, page, "<td>Welcome</td>", "<td>Pending")
		lacks(t, page, "<td>welcome</td>", "<td>pending")

		_, token := a.user("secretary@example.ac.uk", models.RoleCommittee, nil)
		api := a.api("GET", "/api/v1/admin/outbox?kind=welcome&status=pending", nil, token)
		contains(t, api, `"kind":"welcome"`, `"status":"pending"`)
	})
}
