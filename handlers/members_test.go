package handlers_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

var memberRow = regexp.MustCompile(`<a href="/committee/members/\d+">([^<]*)</a>`)

// namesOn lists the members a page of the list shows, in order.
func namesOn(r response) []string {
	var out []string
	for _, m := range memberRow.FindAllSubmatch(r.Body, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// committeeBrowser is a browser logged in as a committee member.
func committeeBrowser(t *testing.T, a *app) (*browser, models.User) {
	t.Helper()
	chair, _ := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
	b := a.browser()
	b.login("chair@example.ac.uk", "correct horse battery")
	return b, chair
}

// The members list comes a page at a time; searching, filtering and
// sorting narrow it, and the links between pages keep them.
func TestMembersListPagesFiltersAndSorts(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		testkit.Members(t, a.db, 120, testkit.Year(2))
		testkit.Members(t, a.db, 7, testkit.Year(4))
		teacher := testkit.Member(t, a.db, testkit.Name("Zed Teacher"), testkit.Email("zed@example.ac.uk"), testkit.Role(models.RoleTeacher))
		b, _ := committeeBrowser(t, a)

		page := b.get("/committee/members")
		if page.Status != http.StatusOK || len(namesOn(page)) != models.MembersPerPage {
			t.Fatalf("first page: %d with %d members", page.Status, len(namesOn(page)))
		}
		contains(t, page, "129 members · page 1 of 3", `href="/committee/members?page=2" rel="next"`, "Download these 129 members as CSV")
		if got := namesOn(page)[0]; got != "chair" {
			t.Errorf("by name, the list starts with %q", got)
		}
		last := b.get("/committee/members?page=3")
		if n := len(namesOn(last)); n != 29 {
			t.Errorf("the last page shows %d members, want 29", n)
		}
		contains(t, last, `href="/committee/members?page=2" rel="prev"`)
		if past := b.get("/committee/members?page=99"); past.Status != http.StatusOK || !strings.Contains(string(past.Body), "page 3 of 3") {
			t.Errorf("a page past the end: %d, want the last page", past.Status)
		}

		// Filters and order, kept by the links.
		year2 := b.get("/committee/members?year_of_study=2&sort=joined&role=student")
		contains(t, year2, "120 members · page 1 of 3", `href="/committee/members?page=2&amp;role=student&amp;sort=joined&amp;year_of_study=2" rel="next"`,
			`href="/committee/members.csv?role=student&amp;sort=joined&amp;year_of_study=2"`)
		byRole := namesOn(b.get("/committee/members?sort=role"))
		if len(byRole) < 2 || byRole[0] != "chair" || byRole[1] != "Zed Teacher" {
			t.Errorf("by role the list starts %v, want committee then teachers", byRole[:2])
		}
		if got := namesOn(b.get("/committee/members?year_of_study=4")); len(got) != 7 {
			t.Errorf("year 4: %d members, want 7", len(got))
		}
		if got := namesOn(b.get("/committee/members?q=ZED@EXAMPLE")); len(got) != 1 || got[0] != teacher.Name {
			t.Errorf("search by e-mail: %v", got)
		}
		if got := namesOn(b.get("/committee/members?role=teacher&q=student")); len(got) != 0 {
			t.Errorf("teachers named student: %v", got)
		}
		if got := namesOn(b.get("/committee/members?q=" + url.QueryEscape("%"))); len(got) != 0 {
			t.Errorf("a search for %% matched %d members", len(got))
		}

		// A bad filter re-renders the page with a message and the input kept.
		for query, msg := range map[string]string{
			"sort=email":                         "Sort by name, year of study, role or newest first.",
			"sort=" + url.QueryEscape("name;--"): "Sort by name, year of study, role or newest first.",
			"year_of_study=9":                    "Choose a year from 1 to 6, or graduate.",
			"role=god&q=zed":                     "Choose student, teacher or committee.",
			"page=0":                             "Pages are numbered from 1.",
			"page=two":                           "Pages are numbered from 1.",
			"q=" + strings.Repeat("x", 201):      "Search with at most 200 characters.",
		} {
			res := b.get("/committee/members?" + query)
			if res.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", query, res.Status)
			}
			contains(t, res, msg)
		}
		contains(t, b.get("/committee/members?role=god&q=zed"), `value="zed"`)
	})
}

// The CSV holds every member the filters match, with cells a spreadsheet
// would run as a formula made harmless.
func TestMembersCSV(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		testkit.Members(t, a.db, 60, testkit.Year(1))
		testkit.Member(t, a.db, testkit.Name(`=HYPERLINK("https://evil.example","Click")`), testkit.Email("formula@example.ac.uk"), testkit.Year(3))
		testkit.Member(t, a.db, testkit.Name("+44 Plus"), testkit.Email("plus@example.ac.uk"), testkit.Year(3))
		testkit.Member(t, a.db, testkit.Name("@Handle"), testkit.Email("at@example.ac.uk"), testkit.Year(3))
		testkit.Member(t, a.db, testkit.Name("-Minus"), testkit.Email("minus@example.ac.uk"), testkit.Year(3))
		b, _ := committeeBrowser(t, a)

		res := b.get("/committee/members.csv?year_of_study=3&sort=name")
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), `attachment; filename="members-`) {
			t.Fatalf("CSV: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
		rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rows[0], ","); got != "id,name,email,role,year_of_study,joined" {
			t.Errorf("header %q", got)
		}
		var names []string
		for _, r := range rows[1:] {
			names = append(names, r[1])
			if r[3] != "student" || r[4] != "3" {
				t.Errorf("row %v: not a year 3 student", r)
			}
		}
		want := []string{`'+44 Plus`, `'-Minus`, `'=HYPERLINK("https://evil.example","Click")`, `'@Handle`}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("names %q, want %q", names, want)
		}

		// Not paged: all 60 of year 1, and everyone without a filter.
		all := b.get("/committee/members.csv?year_of_study=1")
		if n := strings.Count(string(all.Body), "\n"); n != 61 {
			t.Errorf("year 1 CSV has %d lines, want 61", n)
		}
		if bad := b.get("/committee/members.csv?sort=password_hash"); bad.Status != http.StatusUnprocessableEntity ||
			strings.Contains(bad.Header.Get("Content-Type"), "csv") {
			t.Errorf("a bad sort for the CSV: %d %s", bad.Status, bad.Header.Get("Content-Type"))
		}
	})
}

// Ticking members and choosing a role shows who changes; only the
// confirmation changes them, and committee cannot demote itself this way.
func TestBulkRoleChange(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		ann := testkit.Member(t, a.db, testkit.Name("Ann Able"), testkit.Email("ann@example.ac.uk"), testkit.Year(4))
		ben := testkit.Member(t, a.db, testkit.Name("Ben Baker"), testkit.Email("ben@example.ac.uk"), testkit.Year(5))
		cat := testkit.Member(t, a.db, testkit.Name("Cat Cole"), testkit.Email("cat@example.ac.uk"), testkit.Role(models.RoleTeacher))
		dan := testkit.Member(t, a.db, testkit.Name("Dan Dale"), testkit.Email("dan@example.ac.uk"), testkit.Year(2))
		b, chair := committeeBrowser(t, a)
		role := func(u models.User) models.Role {
			t.Helper()
			got, err := models.UserByID(t.Context(), a.db, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Role
		}
		ids := func(us ...models.User) []string {
			var out []string
			for _, u := range us {
				out = append(out, fmt.Sprint(u.ID))
			}
			return out
		}
		from := "/committee/members?sort=year&page=1"

		sent := b.post(from, "/committee/members/roles", url.Values{"id": ids(ann, ben, cat), "role": {"teacher"}, "return": {"sort=year"}})
		if to := sent.Header.Get("Location"); sent.Status != http.StatusSeeOther || !strings.HasPrefix(to, "/committee/members/roles?") {
			t.Fatalf("ticking and choosing: %d to %q, want 303 to the confirmation page", sent.Status, to)
		}
		preview := b.get(sent.Header.Get("Location"))
		if preview.Status != http.StatusOK {
			t.Fatalf("preview: %d %s", preview.Status, preview.Body)
		}
		contains(t, preview, "Change roles", "2 members become teacher:", "Ann Able", "Ben Baker", "Cat Cole", "No change",
			`<button type="submit">Change 2 roles</button>`, `href="/committee/members?sort=year"`)
		if strings.Contains(string(preview.Body), "Dan Dale") {
			t.Error("the preview lists a member who was not ticked")
		}
		if role(ann) != models.RoleStudent || role(ben) != models.RoleStudent {
			t.Fatal("the preview changed roles")
		}

		done := b.post("/committee/members", "/committee/members/roles/confirm", url.Values{"id": ids(ann, ben, cat), "role": {"teacher"}, "return": {"sort=year"}})
		redirectsTo(t, done, "/committee/members?sort=year")
		contains(t, b.get("/committee/members?sort=year"), "Changed the role of 2 members to teacher.")
		if role(ann) != models.RoleTeacher || role(ben) != models.RoleTeacher || role(cat) != models.RoleTeacher || role(dan) != models.RoleStudent {
			t.Errorf("after the change: %s %s %s %s", role(ann), role(ben), role(cat), role(dan))
		}

		// The committee member among those ticked, to a lesser role: refused,
		// by the preview and by the confirmation alike.
		for _, path := range []string{"/committee/members/roles", "/committee/members/roles/confirm"} {
			res := b.post("/committee/members", path, url.Values{"id": ids(dan, chair), "role": {"student"}})
			redirectsTo(t, res, "/committee/members?")
			contains(t, b.get("/committee/members"), "you cannot take yourself out of committee here")
			if role(chair) != models.RoleCommittee {
				t.Fatalf("%s: the committee member demoted themself", path)
			}
		}
		// Nobody ticked, an unknown role, an id that is not one.
		for _, form := range []url.Values{{"role": {"teacher"}}, {"id": ids(dan), "role": {"god"}}, {"id": {"1 OR 1=1"}, "role": {"teacher"}}} {
			res := b.post("/committee/members", "/committee/members/roles", form)
			if res.Status != http.StatusSeeOther {
				t.Errorf("%v: %d", form, res.Status)
			}
		}
		if role(dan) != models.RoleStudent {
			t.Error("a refused change changed Dan")
		}
		// Making oneself committee again is no demotion.
		res := b.post("/committee/members", "/committee/members/roles/confirm", url.Values{"id": ids(dan, chair), "role": {"committee"}})
		redirectsTo(t, res, "/committee/members?")
		if role(dan) != models.RoleCommittee || role(chair) != models.RoleCommittee {
			t.Errorf("to committee: %s %s", role(dan), role(chair))
		}
	})
}

// A member's page shows their sessions, attendance, that they gave
// feedback (never what it said), their teaching and certificates.
func TestMemberPage(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher := testkit.Member(t, a.db, testkit.Name("Dr Tess Teach"), testkit.Role(models.RoleTeacher))
		eve := testkit.Member(t, a.db, testkit.Name("Eve Evans"), testkit.Email("eve@example.ac.uk"), testkit.Year(3))
		start := a.clock.Now().Add(-72 * time.Hour)
		s := testkit.Session(t, a.db, teacher, testkit.Title("Heart sounds"), testkit.Starts(start), testkit.Ahead(30*24*time.Hour), testkit.Published(), testkit.Mode(models.ModeInPerson))
		later := testkit.Session(t, a.db, teacher, testkit.Title("Lung sounds"), testkit.Starts(a.clock.Now().Add(72*time.Hour)), testkit.Ahead(30*24*time.Hour), testkit.Published(), testkit.Mode(models.ModeInPerson))
		testkit.Book(t, a.db, eve, s, models.ModeInPerson, testkit.At(start.Add(-48*time.Hour)))
		testkit.Book(t, a.db, eve, later, models.ModeInPerson, testkit.At(start.Add(-48*time.Hour)))
		if _, err := models.MarkRegister(t.Context(), a.db, teacher, s.ID, eve.ID, models.RegisterEntry{Status: models.AttendancePresent}, s.EndsAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.SubmitFeedback(t.Context(), a.db, eve, s.ID, models.FeedbackInput{Overall: 2, Teaching: 3, ConfidenceBefore: 2, ConfidenceAfter: 3,
			WentWell: "The secret praise", Improve: "The secret grumble"}, s.EndsAt.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		b, _ := committeeBrowser(t, a)

		page := b.get(fmt.Sprintf("/committee/members/%d", eve.ID))
		if page.Status != http.StatusOK {
			t.Fatalf("member page: %d %s", page.Status, page.Body)
		}
		contains(t, page, "<h1>Eve Evans</h1>", "eve@example.ac.uk · Student · Year 3", "2 booked · 1 attended · feedback given for 1.",
			"Heart sounds", "Lung sounds", "Present", "Not recorded", "Certificate", "1 certificate of attendance")
		// Which session a member answered would name them beside its answers:
		// neither a per-session mark nor the attendance certificate's session.
		lacks(t, page, ">Given<", "Not given", "attendance, issued")
		for _, never := range []string{"secret praise", "secret grumble"} {
			if strings.Contains(strings.ToLower(string(page.Body)), never) {
				t.Errorf("the member's page shows their feedback: %q", never)
			}
		}
		teaching := b.get(fmt.Sprintf("/committee/members/%d", teacher.ID))
		contains(t, teaching, "Sessions taught", "Heart sounds", "Lung sounds")

		// Their role and year change from their page, and back it goes.
		res := b.post(fmt.Sprintf("/committee/members/%d", eve.ID), fmt.Sprintf("/committee/members/%d", eve.ID),
			url.Values{"from": {"member"}, "role": {"teacher"}, "year_of_study": {"4"}})
		redirectsTo(t, res, fmt.Sprintf("/committee/members/%d", eve.ID))
		contains(t, b.get(fmt.Sprintf("/committee/members/%d", eve.ID)), "Saved Eve Evans: teacher, Year 4.")

		for _, bad := range []string{"/committee/members/99999", "/committee/members/abc", "/committee/members/-1"} {
			if res := b.get(bad); res.Status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", bad, res.Status)
			}
		}
	})
}
