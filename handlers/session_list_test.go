package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

// The session list is grouped by day, each card says its places in words
// and books the student's place with a button that needs no JavaScript;
// booking a session for other years from a card still asks first.
func TestSessionListByDayWithBook(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, _ := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		other, _ := a.user("early@example.ac.uk", models.RoleStudent, intp(1))
		a.user("amy@example.ac.uk", models.RoleStudent, intp(1))
		now := a.clock.Now() // Mon 2 Nov 2026, 09:00 GMT
		mk := func(title string, start time.Time, opts ...testkit.Option) models.Session {
			return testkit.Session(t, a.db, teacher, append([]testkit.Option{testkit.Title(title), testkit.At(now),
				testkit.Starts(start), testkit.Published(), testkit.Years(1)}, opts...)...)
		}
		today := mk("Today's anatomy", now.Add(9*time.Hour), testkit.Capacity(12, 0))
		full := mk("Tomorrow's full one", now.Add(33*time.Hour), testkit.Capacity(1, 0))
		later := mk("Thursday's online", now.Add(81*time.Hour), testkit.Mode(models.ModeOnline), testkit.Link("https://teams.example/x"), testkit.Capacity(0, 30))
		elsewhere := mk("Finals practice", now.Add(82*time.Hour), testkit.Years(5))
		testkit.Book(t, a.db, other, full, models.ModeInPerson)

		b := a.browser()
		b.login("amy@example.ac.uk", "correct horse battery")
		list := b.get("/sessions")
		body := html.UnescapeString(string(list.Body))
		order := []string{">Today<", "Today's anatomy", "12 seats left in the room", "Book a seat",
			">Tomorrow<", "Tomorrow's full one", "Full in the room<", "Join the waitlist",
			">Thu 5 Nov<", "Thursday's online", "30 online places left", "Book online"}
		at := 0
		for _, w := range order {
			i := strings.Index(body[at:], w)
			if i < 0 {
				t.Fatalf("the list lacks %q after position %d", w, at)
			}
			at += i + len(w)
		}
		if strings.Contains(body, "Finals practice") {
			t.Error("a year 5 session is in a year 1 student's own list")
		}
		if n := strings.Count(body, `class="card-book"`); n != 3 {
			t.Errorf("%d Book forms, want 3", n)
		}

		// The card's form books at once, with its CSRF token.
		form := regexp.MustCompile(fmt.Sprintf(`action="/sessions/%d/book" class="card-book"><input type="hidden" name="_csrf" value="([^"]+)"><input type="hidden" name="mode" value="([a-z_]+)">`, today.ID)).FindStringSubmatch(string(list.Body))
		if form == nil {
			t.Fatal("no Book form on today's card")
		}
		res := b.postRaw(fmt.Sprintf("/sessions/%d/book", today.ID), url.Values{"_csrf": {form[1]}, "mode": {form[2]}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("book from the card: %d", res.Status)
		}
		if bk, err := models.UserBooking(t.Context(), a.db, today.ID, mustUser(t, a, "amy@example.ac.uk").ID); err != nil || bk.Status != models.BookingConfirmed || bk.Mode != models.ModeInPerson {
			t.Errorf("booking from the card: %+v %v", bk, err)
		}
		again := string(b.get("/sessions").Body)
		if strings.Contains(again, fmt.Sprintf(`action="/sessions/%d/book"`, today.ID)) || !strings.Contains(again, "Booked, in person") {
			t.Error("the booked card still offers Book, or does not say booked")
		}
		if res := b.postRaw(fmt.Sprintf("/sessions/%d/book", later.ID), url.Values{"mode": {"online"}}); res.Status != http.StatusForbidden {
			t.Errorf("a Book without its CSRF token: %d, want 403", res.Status)
		}

		// All years: a card for other years asks before it books.
		all := string(b.get("/sessions?year=all").Body)
		if !strings.Contains(all, fmt.Sprintf(`action="/sessions/%d/book"`, elsewhere.ID)) {
			t.Fatal("no Book on the other years' card")
		}
		ask := b.post("/sessions?year=all", fmt.Sprintf("/sessions/%d/book", elsewhere.ID), url.Values{"mode": {"in_person"}})
		if ask.Status != http.StatusOK || !strings.Contains(string(ask.Body), "Book anyway") {
			t.Errorf("booking another year's session from its card: %d, no question", ask.Status)
		}
		if _, err := models.UserBooking(t.Context(), a.db, elsewhere.ID, mustUser(t, a, "amy@example.ac.uk").ID); err == nil {
			t.Error("booked another year's session without asking")
		}
	})
}
