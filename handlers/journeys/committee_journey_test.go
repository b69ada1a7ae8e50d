package journeys

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// TestCommitteeJourney follows the society's chair on a laptop: they make
// a student a teacher on Members, read the dashboard of the sessions run so
// far this academic year, download its figures as CSV, and start the new
// academic year (preview, confirm), after which year 6 are graduates and
// the dashboard's past figures are unchanged; the outbox names the
// certificates it holds and their state in words.
func TestCommitteeJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	loc := society(site)
	// Sessions of this academic year have happened: at least three weeks
	// into it (early in August the clock moves on to September).
	if yearStart := models.AcademicYearStart(site.Clock.Now(), loc); site.Clock.Now().Before(yearStart.AddDate(0, 0, 21)) {
		site.Clock.Set(yearStart.AddDate(0, 1, 14).Add(10 * time.Hour))
	}
	chair := site.CreateUser(t, Member{Name: "Cat Chair", Email: "cat.chair@example.ac.uk", Role: models.RoleCommittee, Year: 5})
	tariq := site.CreateUser(t, Member{Name: "Tariq Osei", Email: "tariq.osei@example.ac.uk", Role: models.RoleTeacher})
	m := map[string]models.User{}
	for _, mb := range []Member{
		{Name: "Amara Obi", Email: "amara.obi@example.ac.uk", Year: 1},
		{Name: "Ben Carter", Email: "ben.carter@example.ac.uk", Year: 2},
		{Name: "Hana Sato", Email: "hana.sato@example.ac.uk", Year: 3},
		{Name: "Dev Rao", Email: "dev.rao@example.ac.uk", Year: 4},
		{Name: "Freya Lund", Email: "freya.lund@example.ac.uk", Year: 6},
		{Name: "Gabriel Costa", Email: "gabriel.costa@example.ac.uk", Year: 6},
	} {
		m[mb.Name] = site.CreateUser(t, mb)
	}

	// Two sessions ran, recorded by committee after the fact: an ECG
	// lecture for years 1–3 a fortnight ago (Hana booked and did not come)
	// and a hybrid OSCE workshop for year 6 last week.
	ecgStart, ecgEnd := slot(site, -14, 18, 0, 90*time.Minute)
	ecg := seedSession(t, site, chair, sessionSeed{Title: "ECG basics", Topic: "Cardiology", Format: models.FormatLecture,
		Years: []int{1, 2, 3}, Venue: "Lecture Theatre 1", Seats: 80, Start: ecgStart, End: ecgEnd, Teachers: []int64{tariq.ID}})
	osceStart, osceEnd := slot(site, -7, 17, 30, 2*time.Hour)
	osce := seedSession(t, site, chair, sessionSeed{Title: "OSCE practice: history taking", Topic: "Clinical skills", Format: models.FormatWorkshop,
		Mode: models.ModeHybrid, Years: []int{6}, Venue: "Clinical Skills Centre", Seats: 12, OnlinePlaces: 20,
		Start: osceStart, End: osceEnd, Teachers: []int64{tariq.ID}})
	for _, b := range []struct {
		s       models.Session
		who     string
		mode    models.Mode
		came    bool
		overall int
	}{
		{ecg, "Amara Obi", models.ModeInPerson, true, 5},
		{ecg, "Ben Carter", models.ModeInPerson, true, 4},
		{ecg, "Hana Sato", models.ModeInPerson, false, 0},
		{osce, "Freya Lund", models.ModeInPerson, true, 0},
		{osce, "Gabriel Costa", models.ModeOnline, true, 0},
	} {
		seedBooking(t, site, chair, b.s.ID, m[b.who], b.mode)
		status := models.AttendanceAbsent
		if b.came {
			status = models.AttendancePresent
		}
		seedRegister(t, site, chair, b.s.ID, m[b.who], status)
		if b.overall > 0 {
			seedFeedback(t, site, m[b.who], b.s.ID, b.overall, 4, 2, 4, "", "")
		}
	}

	// Members: Dev Rao, year 4, is made a teacher.
	committee := br.NewPage("committee", Desktop)
	committee.LogIn("cat.chair@example.ac.uk", DefaultPassword)
	committee.Click("Members")
	committee.ExpectHeading("Members")
	committee.Fill("Name or e-mail", "dev")
	committee.Click("Find")
	committee.ExpectText("1 member")
	dev := committee.Row("dev.rao@example.ac.uk")
	dev.Select("Role of Dev Rao", "Teacher")
	if status := dev.Click("Save"); status != 200 {
		t.Fatalf("saving Dev Rao answered %d: %s", status, excerpt(committee.Text()))
	}
	committee.ExpectText("Saved Dev Rao: teacher, Year 4.")
	committee.Checkpoint("member-promoted")
	if u := site.User(t, "dev.rao@example.ac.uk"); u.Role != models.RoleTeacher {
		t.Errorf("Dev Rao is stored as %s, want teacher", u.Role)
	}

	// The dashboard of this academic year.
	committee.Click("Dashboard")
	committee.ExpectPath("/committee/dashboard")
	committee.ExpectHeading("Dashboard")
	headline := committee.Within(".dash-headline", "")
	headline.ExpectText("Sessions run 2", "Unique attendees 4", "Bookings 5", "Attendance rate 80% 4 of 5 booked attended",
		"Walk-ins 0", "Online share 25% 1 of 4 attendances online", "Feedback response rate 50% 2 answers", "Average rating — overall")
	// Two answers about one session, below the anonymity threshold of 3:
	// counted, but not in the average rating.
	headline.ExpectNoText("4.5 / 5")
	committee.Within("#by-year", "").ExpectText("Year 1", "Year 2", "Year 3", "Year 6")
	committee.Checkpoint("dashboard")

	// The headline figures as CSV, with the committee's login (and not without).
	csvURL := linkHref(headline, "Download CSV of the headline figures")
	resp, body := download(committee, csvURL)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("the headline CSV answered %d, %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if got := firstLine(body); got != "figure,value,definition" {
		t.Errorf("the headline CSV starts %q", got)
	}
	for _, want := range []string{"Sessions run,2,", "Booked,5,", "Attended,4,"} {
		if !strings.Contains(string(body), "\n"+want) {
			t.Errorf("the headline CSV has no line starting %q:\n%s", want, body)
		}
	}
	if resp, _ := fetchURL(t, csvURL); resp.StatusCode == http.StatusOK {
		t.Errorf("the headline CSV is given to a visitor who is not logged in")
	}
	resp, body = download(committee, linkHref(committee.Scope, "download the attendance records (CSV)"))
	if resp.StatusCode != 200 || !strings.HasPrefix(firstLine(body), "session_id,session_title,topic,format,starts_at,student_id,name,email,year_of_study,") {
		t.Errorf("the attendance records CSV answered %d starting %q", resp.StatusCode, firstLine(body))
	}
	if n := strings.Count(strings.TrimSpace(string(body)), "\n"); n != 5 {
		t.Errorf("the attendance records CSV has %d records, want 5:\n%s", n, body)
	}

	// A new academic year: the preview first.
	label := models.AcademicYearLabel(models.AcademicYearStart(site.Clock.Now(), loc))
	committee.Click("Academic year")
	committee.ExpectPath("/committee/academic-year")
	committee.ExpectHeading("Academic year " + label)
	committee.Row("Year 6 Graduate").ExpectText("Year 6 Graduate 2")
	committee.Row("Year 4 Year 5").ExpectText("Year 4 Year 5 1")
	committee.Row("Total").ExpectText("Total 2 become graduates 7")
	committee.Checkpoint("academic-year-preview")
	// Pressing the button without ticking "I understand" changes nothing:
	// the browser asks for the tick.
	understand := "I understand: 7 members move up a year of study now (2 become graduates), and this is done once in " + label + "."
	committee.ClickInPlace("Start academic year " + label)
	tick := committee.find("control", understand)
	if !evaluate[bool](committee, "read the tick box", `document.querySelector(`+jsString(tick.sel)+`).validity.valueMissing`) {
		t.Errorf("the unticked confirmation is not reported as missing")
	}
	committee.ExpectPath("/committee/academic-year")
	committee.ExpectNoText("started:")
	if u := site.User(t, "freya.lund@example.ac.uk"); u.YearOfStudy == nil {
		t.Fatalf("the year started without confirmation")
	}
	committee.Tick(understand)
	if status := committee.Click("Start academic year " + label); status != 200 {
		t.Fatalf("starting the year answered %d: %s", status, excerpt(committee.Text()))
	}
	committee.ExpectText("Academic year "+label+" started: 5 members moved up a year and 2 became graduates.",
		"has already been started")
	committee.Checkpoint("academic-year-started")
	for email, want := range map[string]int{"freya.lund@example.ac.uk": 0, "gabriel.costa@example.ac.uk": 0,
		"amara.obi@example.ac.uk": 2, "dev.rao@example.ac.uk": 5, "cat.chair@example.ac.uk": 6, "tariq.osei@example.ac.uk": 0} {
		u := site.User(t, email)
		if got := 0; u.YearOfStudy != nil {
			got = *u.YearOfStudy
			if got != want {
				t.Errorf("%s is in year %d, want %d", u.Name, got, want)
			}
		} else if want != 0 {
			t.Errorf("%s has no year of study, want year %d", u.Name, want)
		}
	}

	// Members shows year 6 as graduates now.
	committee.Click("Members")
	committee.Select("Year", "Graduate")
	committee.Click("Find")
	for _, who := range []string{"Freya Lund", "Gabriel Costa"} {
		if got := committee.Row(who).Selected("Year of study of " + who); got != "Graduate" {
			t.Errorf("Members shows %s as %q, want Graduate", who, got)
		}
	}
	committee.Checkpoint("members-graduates")

	// The dashboard still counts last week's workshop under year 6, as it was then.
	committee.Click("Dashboard")
	committee.Within("#by-year tr", "Year 6").ExpectText("Year 6 1 2 2 0 0 100%")
	committee.Within(".dash-headline", "").ExpectText("Sessions run 2", "Unique attendees 4")

	// The outbox says what each e-mail is and where it stands in words, on
	// a laptop and on a phone.
	committee.Visit("/committee/outbox")
	committee.ExpectHeading("Outbox")
	committee.ExpectText("Certificate issued", "Pending")
	committee.Checkpoint("outbox")
	committee.SetViewport(Phone)
	committee.Checkpoint("outbox-phone")
	committee.SetViewport(Desktop)
}
