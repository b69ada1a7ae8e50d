package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"

	"gorm.io/gorm"
)

// dsWorld is a small society on the app's clock (Monday 2 November 2026):
// three sessions of this academic year that have run, one with a topic and
// title written to attack a spreadsheet.
type dsWorld struct {
	committee, teacher, ann, ben, cat models.User
	committeeToken, teacherToken      string
	studentToken                      string
}

const dsPassword = "correct horse battery"

func dsBuild(t *testing.T, a *app) dsWorld {
	t.Helper()
	var w dsWorld
	w.committee, w.committeeToken = a.user("chair@ds.example.ac.uk", models.RoleCommittee, nil)
	w.teacher, w.teacherToken = a.user("tess@ds.example.ac.uk", models.RoleTeacher, nil)
	w.ann, w.studentToken = a.user("ann@ds.example.ac.uk", models.RoleStudent, intp(1))
	w.ben, _ = a.user("ben@ds.example.ac.uk", models.RoleStudent, intp(2))
	w.cat, _ = a.user("cat@ds.example.ac.uk", models.RoleStudent, intp(6))
	// Accounts record their year from the real time of creation; these
	// members have been in their year since January.
	if err := a.db.Write(context.Background(), func(tx *gorm.DB) error {
		return tx.Exec("UPDATE year_history SET valid_from = ?", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Error
	}); err != nil {
		t.Fatal(err)
	}
	now := a.clock.Now()
	london, _ := time.LoadLocation("Europe/London")
	// The committee records them all now: every year, ten seats, an hour
	// each, taught by the teacher.
	ran := testkit.Options(testkit.Description(""), testkit.Years(1, 2, 3, 4, 5, 6), testkit.Venue("Room 4"),
		testkit.Link("https://zoom.example/j/9"), testkit.Seats(10), testkit.Lasting(time.Hour), testkit.Teachers(w.teacher),
		testkit.At(now), testkit.Published())
	x1 := testkit.Session(t, a.db, w.committee, ran, testkit.Title("+Chest pain"), testkit.Topic(`=HYPERLINK("http://evil.example")`),
		testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(time.Date(2026, 9, 15, 18, 0, 0, 0, london)))
	testkit.Book(t, a.db, w.ann, x1, "", testkit.By(w.committee), testkit.At(now))
	testkit.Book(t, a.db, w.ben, x1, "", testkit.By(w.committee), testkit.At(now))
	testkit.Mark(t, a.db, w.ann, x1, models.AttendancePresent, testkit.At(now))
	testkit.Mark(t, a.db, w.ben, x1, models.AttendanceAbsent, testkit.At(now))
	testkit.Mark(t, a.db, w.cat, x1, models.AttendancePresent, testkit.At(now))
	x2 := testkit.Session(t, a.db, w.committee, ran, testkit.Title("Acid–base"), testkit.Topic("Renal"),
		testkit.Format(models.FormatSmallGroup), testkit.Mode(models.ModeOnline), testkit.Starts(time.Date(2026, 10, 13, 18, 0, 0, 0, london)))
	testkit.Book(t, a.db, w.ann, x2, "", testkit.By(w.committee), testkit.At(now))
	testkit.Book(t, a.db, w.cat, x2, "", testkit.By(w.committee), testkit.At(now))
	testkit.Mark(t, a.db, w.ann, x2, models.AttendanceLate, testkit.At(now))
	testkit.Mark(t, a.db, w.cat, x2, models.AttendancePresent, testkit.At(now))
	for _, u := range []models.User{w.ann, w.cat} {
		in := models.FeedbackInput{Overall: 4, Teaching: 5, ConfidenceBefore: 2, ConfidenceAfter: 4}
		if _, _, err := models.SubmitFeedback(t.Context(), a.db, u, x2.ID, in, now); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Session(t, a.db, w.committee, ran, testkit.Title("Fluids"), testkit.Topic("Renal"),
		testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(time.Date(2026, 10, 20, 18, 0, 0, 0, london)))
	return w
}

// dsCSV reads a CSV body.
func dsCSV(t *testing.T, r response) [][]string {
	t.Helper()
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV answer %d %s: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	lines, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, r.Body)
	}
	return lines
}

// dsPercent writes a rate as the page does.
func dsPercent(v any) string {
	f, ok := v.(float64)
	if !ok {
		return "—"
	}
	return strings.TrimSuffix(strconv.FormatFloat(f*100, 'f', 1, 64), ".0") + "%"
}

func dsNum(v any) string { return strconv.Itoa(int(v.(float64))) }

func TestStatsAPIAgreesWithCSVAndPage(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		w := dsBuild(t, a)
		b := a.browser()
		b.login("chair@ds.example.ac.uk", dsPassword)
		page := b.get("/committee/dashboard")
		if page.Status != 200 {
			t.Fatalf("dashboard: %d %s", page.Status, page.Body)
		}
		body := string(page.Body)
		headings := map[string]string{"year_of_study": "Year of study (at the session)", "mode": "Mode", "topic": "Topic",
			"format": "Format", "teacher": "Teacher", "week": "Week"}
		for _, g := range models.StatsGroupings {
			res := a.api("GET", "/api/v1/stats/attendance?group_by="+g, nil, w.committeeToken)
			if res.Status != 200 {
				t.Fatalf("%s: %d %s", g, res.Status, res.Body)
			}
			js := res.json(t)
			rows := js["rows"].([]any)
			lines := dsCSV(t, a.api("GET", "/api/v1/stats/attendance.csv?group_by="+g, nil, w.committeeToken))
			if strings.Join(lines[0], ",") != "key,label,sessions,booked,attended,no_shows,walk_ins,rate" || len(lines) != len(rows)+1 {
				t.Fatalf("%s: CSV %q for %d rows", g, lines, len(rows))
			}
			for i, raw := range rows {
				r := raw.(map[string]any)
				rate := ""
				if f, ok := r["rate"].(float64); ok {
					rate = strconv.FormatFloat(f, 'f', -1, 64)
				}
				key := r["key"].(string)
				if strings.HasPrefix(key, "=") {
					key = "'" + key
				}
				label, _ := r["label"].(string)
				if strings.HasPrefix(label, "=") {
					label = "'" + label
				}
				want := []string{key, label, dsNum(r["sessions"]), dsNum(r["booked"]), dsNum(r["attended"]),
					dsNum(r["no_shows"]), dsNum(r["walk_ins"]), rate}
				if strings.Join(lines[i+1], "|") != strings.Join(want, "|") {
					t.Errorf("%s row %d: CSV %q, JSON %q", g, i, lines[i+1], want)
				}
				if _, shown := headings[g]; !shown {
					continue
				}
				// The page shows the same row.
				name, _ := r["label"].(string)
				if name == "" {
					name = r["key"].(string)
				}
				cells := fmt.Sprintf(`<th scope="row">%s</th><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>`,
					htmlEscape(name), dsNum(r["sessions"]), dsNum(r["booked"]), dsNum(r["attended"]), dsNum(r["no_shows"]), dsNum(r["walk_ins"]), dsPercent(r["rate"]))
				if !strings.Contains(body, cells) {
					t.Errorf("the page lacks the %s row %s", g, cells)
				}
			}
			tot := js["totals"].(map[string]any)
			if got := fmt.Sprint(tot["sessions"], tot["booked"], tot["attended"], tot["no_shows"], tot["walk_ins"]); got != "3 4 3 1 1" {
				t.Errorf("%s totals: %s", g, got)
			}
		}
		// Headline figures on the page: 3 sessions run, 3 attended of 4
		// booked, Ann and Cat came.
		contains(t, page, "<dt>Sessions run</dt><dd><strong>3</strong>", "<dt>Unique attendees</dt><dd><strong>2</strong>",
			"<dt>Attendance rate</dt><dd><strong>75%</strong>", "Download CSV", "<caption>", `scope="col"`,
			"Year of study", "when the session took place", "<svg")
		// The spreadsheet attack is escaped on the page and neutralised in CSV.
		if strings.Contains(body, `=HYPERLINK("http`) {
			t.Error("a topic was not escaped on the page")
		}

		// The raw records: one line per booking or attendance record.
		lines := dsCSV(t, a.api("GET", "/api/v1/stats/attendance/records.csv", nil, w.committeeToken))
		if len(lines) != 1+3+2 {
			t.Fatalf("records: %q", lines)
		}
		if lines[0][0] != "session_id" || lines[1][1] != "'+Chest pain" || lines[1][2] != `'=HYPERLINK("http://evil.example")` {
			t.Errorf("records: %q", lines[:2])
		}
		lines = dsCSV(t, a.api("GET", "/api/v1/stats/attendance/records.csv?mode=online&year_of_study=6", nil, w.committeeToken))
		if len(lines) != 2 || lines[1][6] != "cat" || lines[1][8] != "6" {
			t.Errorf("year 6 online records: %q", lines)
		}

		// The page's own tables.
		for _, file := range []string{"headline", "reach", "weeks-by-mode", "sessions"} {
			lines := dsCSV(t, b.get("/committee/dashboard/"+file+".csv?from=2026-08-01&to=2027-08-01"))
			if len(lines) < 2 {
				t.Errorf("%s.csv: %q", file, lines)
			}
		}
		if r := b.get("/committee/dashboard/secrets.csv"); r.Status != 404 {
			t.Errorf("an unknown table: %d", r.Status)
		}
	})
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestStatsOnlyForCommittee(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		w := dsBuild(t, a)
		apis := []string{"/api/v1/stats/attendance?group_by=mode", "/api/v1/stats/attendance.csv?group_by=mode",
			"/api/v1/stats/attendance/records.csv", "/api/v1/admin/academic-year"}
		for _, path := range apis {
			if r := a.api("GET", path, nil, ""); r.Status != 401 {
				t.Errorf("anonymous %s: %d", path, r.Status)
			}
			for _, tok := range []string{w.studentToken, w.teacherToken} {
				if r := a.api("GET", path, nil, tok); r.Status != 403 {
					t.Errorf("%s as a student or teacher: %d %s", path, r.Status, r.Body)
				}
			}
		}
		for _, tok := range []string{"", w.studentToken, w.teacherToken} {
			if r := a.api("POST", "/api/v1/admin/academic-year/rollover", nil, tok); r.Status != 401 && r.Status != 403 {
				t.Errorf("rollover by a non-committee member: %d", r.Status)
			}
		}
		pages := []string{"/committee/dashboard", "/committee/dashboard/headline.csv", "/committee/academic-year"}
		anon := a.browser()
		for _, path := range pages {
			if r := anon.get(path); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
				t.Errorf("anonymous %s: %d %s", path, r.Status, r.Header.Get("Location"))
			}
		}
		for _, email := range []string{"ann@ds.example.ac.uk", "tess@ds.example.ac.uk"} {
			b := a.browser()
			b.login(email, dsPassword)
			for _, path := range pages {
				if r := b.get(path); r.Status != 403 {
					t.Errorf("%s on %s: %d", email, path, r.Status)
				}
			}
			if r := b.post("/account", "/committee/academic-year", url.Values{"confirm": {"yes"}}); r.Status != 403 {
				t.Errorf("%s started the academic year: %d", email, r.Status)
			}
		}
		if u, _ := models.UserByID(t.Context(), a.db, w.ann.ID); *u.YearOfStudy != 1 {
			t.Error("the year rolled over")
		}
	})
}

func TestStatsBadInput(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		w := dsBuild(t, a)
		for query, field := range map[string]string{
			"group_by=colour":              "group_by",
			"":                             "group_by",
			"group_by=week&from=yesterday": "from",
			"group_by=week&to=2026-13-45":  "to",
			"group_by=week&from=2026-10-01&to=2026-09-01": "to",
			"group_by=week&mode=hybrid":                   "mode",
			"group_by=week&year_of_study=9":               "year_of_study",
			"group_by=week&year_of_study=one":             "year_of_study",
		} {
			for _, path := range []string{"/api/v1/stats/attendance?", "/api/v1/stats/attendance.csv?", "/api/v1/stats/attendance/records.csv?"} {
				if strings.HasPrefix(path, "/api/v1/stats/attendance/records") && field == "group_by" {
					continue
				}
				r := a.api("GET", path+query, nil, w.committeeToken)
				if r.Status != 422 || r.errorCode(t) != "validation_failed" {
					t.Errorf("%s%s: %d %s", path, query, r.Status, r.Body)
					continue
				}
				fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
				if fields[field] == nil {
					t.Errorf("%s%s: no message for %s: %s", path, query, field, r.Body)
				}
			}
		}
		// RFC 3339 instants are accepted.
		if r := a.api("GET", "/api/v1/stats/attendance?group_by=month&from=2026-09-01T00:00:00Z&to=2026-10-01T00:00:00%2B01:00", nil, w.committeeToken); r.Status != 200 {
			t.Errorf("RFC 3339 period: %d %s", r.Status, r.Body)
		}
		b := a.browser()
		b.login("chair@ds.example.ac.uk", dsPassword)
		page := b.get("/committee/dashboard?from=2027-01-01&to=2026-01-01&mode=sideways")
		if page.Status != 422 {
			t.Errorf("bad filters on the page: %d", page.Status)
		}
		contains(t, page, "Choose an end after the start.", `aria-invalid="true"`, "Choose in person or online.")
	})
}

func TestAcademicYearRollover(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		w := dsBuild(t, a)
		before := a.api("GET", "/api/v1/stats/attendance?group_by=year_of_study", nil, w.committeeToken)

		res := a.api("GET", "/api/v1/admin/academic-year", nil, w.committeeToken)
		p := res.json(t)
		if res.Status != 200 || p["academic_year"] != "2026/27" || p["already_done"] != false || p["total"] != float64(3) {
			t.Fatalf("preview: %d %s", res.Status, res.Body)
		}
		if len(p["changes"].([]any)) != 3 || !strings.Contains(string(res.Body), `{"from":6,"to":null,"members":1}`) {
			t.Errorf("preview changes: %s", res.Body)
		}

		b := a.browser()
		b.login("chair@ds.example.ac.uk", dsPassword)
		page := b.get("/committee/academic-year")
		contains(t, page, "Year 6", "Graduate", "Past figures are unaffected", "I understand", `type="checkbox"`)

		// Not ticked: nothing happens.
		r := b.post("/committee/academic-year", "/committee/academic-year", url.Values{})
		if r.Status != 422 {
			t.Errorf("without the tick: %d", r.Status)
		}
		contains(t, r, "Tick “I understand”")
		if u, _ := models.UserByID(t.Context(), a.db, w.ann.ID); *u.YearOfStudy != 1 {
			t.Fatal("the year rolled over without the tick")
		}

		r = b.post("/committee/academic-year", "/committee/academic-year", url.Values{"confirm": {"yes"}})
		if r.Status != 303 {
			t.Fatalf("rollover: %d %s", r.Status, r.Body)
		}
		contains(t, b.get("/committee/academic-year"), "2 members moved up a year and 1 became graduates", "has already been started")
		if u, _ := models.UserByID(t.Context(), a.db, w.ann.ID); *u.YearOfStudy != 2 {
			t.Errorf("Ann's year after the rollover: %v", u.YearOfStudy)
		}
		if u, _ := models.UserByID(t.Context(), a.db, w.cat.ID); u.YearOfStudy != nil {
			t.Errorf("Cat did not graduate: %v", *u.YearOfStudy)
		}

		// A second time in the same academic year: refused.
		r = b.post("/committee/academic-year", "/committee/academic-year", url.Values{"confirm": {"yes"}})
		if r.Status != 409 {
			t.Errorf("second rollover on the page: %d", r.Status)
		}
		contains(t, r, "already been started")
		if r := a.api("POST", "/api/v1/admin/academic-year/rollover", map[string]string{"confirm": "2026/27"}, w.committeeToken); r.Status != 409 || r.errorCode(t) != "academic_year_already_started" {
			t.Errorf("second rollover by API: %d %s", r.Status, r.Body)
		}
		if u, _ := models.UserByID(t.Context(), a.db, w.ann.ID); *u.YearOfStudy != 2 {
			t.Errorf("Ann moved twice: %v", *u.YearOfStudy)
		}

		// Past figures are unchanged, even worked out again from scratch.
		if err := a.db.Write(context.Background(), func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO stats_dirty (session_id) SELECT id FROM sessions WHERE true ON CONFLICT (session_id) DO NOTHING").Error
		}); err != nil {
			t.Fatal(err)
		}
		after := a.api("GET", "/api/v1/stats/attendance?group_by=year_of_study", nil, w.committeeToken)
		if string(after.Body) != string(before.Body) {
			t.Errorf("figures changed:\nbefore %s\n after %s", before.Body, after.Body)
		}

		// Next academic year, by the API.
		a.clock.Set(time.Date(2027, 8, 2, 9, 0, 0, 0, time.UTC))
		login := a.api("POST", "/api/v1/auth/login", map[string]string{"email": "chair@ds.example.ac.uk", "password": dsPassword}, "")
		tok := login.json(t)["token"].(string)
		// Only with the year being started named: nothing, junk or last
		// year's name changes nobody.
		for _, body := range []any{nil, "\x00\x01junk", map[string]string{}, map[string]string{"confirm": "2026/27"}, map[string]string{"confirm": "yes"}} {
			if r := a.api("POST", "/api/v1/admin/academic-year/rollover", body, tok); r.Status/100 != 4 {
				t.Errorf("rollover with %v: %d %s", body, r.Status, r.Body)
			}
		}
		if u, _ := models.UserByID(t.Context(), a.db, w.ann.ID); *u.YearOfStudy != 2 {
			t.Errorf("Ann moved without a confirmation: %v", *u.YearOfStudy)
		}
		res = a.api("POST", "/api/v1/admin/academic-year/rollover", map[string]string{"confirm": "2027/28"}, tok)
		if res.Status != 200 || res.json(t)["academic_year"] != "2027/28" {
			t.Errorf("next year's rollover: %d %s", res.Status, res.Body)
		}
	})
}
