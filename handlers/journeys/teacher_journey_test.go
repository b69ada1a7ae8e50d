package journeys

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// TestTeacherJourney follows a junior doctor who teaches, on a laptop: they
// draft a hybrid session (seats in the room and places online), publish it
// from the edit form, put the check-in code up in the room, and after the
// session import the Teams attendance report, checking its preview before
// applying it. Once enough students have answered they read the feedback
// summary, and they download a teaching certificate for their portfolio.
func TestTeacherJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	site.CreateUser(t, Member{Name: "Priya Shah", Email: "priya.shah@example.ac.uk", Role: models.RoleTeacher})
	students := map[string]models.User{}
	for _, m := range []Member{
		{Name: "Tom Evans", Email: "tom.evans@example.ac.uk", Year: 4},
		{Name: "Aisha Khan", Email: "aisha.khan@example.ac.uk", Year: 4},
		{Name: "Sam Lee", Email: "sam.lee@example.ac.uk", Year: 4},
		{Name: "Chen Wei", Email: "chen.wei@example.ac.uk", Year: 4},
		{Name: "Ruth Adeyemi", Email: "ruth.adeyemi@example.ac.uk", Year: 5},
		{Name: "Oliver Grant", Email: "oliver.grant@example.ac.uk", Year: 5},
	} {
		students[m.Name] = site.CreateUser(t, m)
	}

	const title = "Acute kidney injury"
	start, end := slot(site, 2, 18, 0, 90*time.Minute)

	// A hybrid draft, through the form.
	teacher := br.NewPage("teacher", Desktop)
	teacher.LogIn("priya.shah@example.ac.uk", DefaultPassword)
	teacher.Click("My teaching")
	teacher.Click("New session")
	teacher.ExpectHeading("New session")
	teacher.Fill("Title", title)
	teacher.Fill("Description", "Causes, staging and the first hour of management, with cases from the renal ward.")
	teacher.Fill("Topic", "Renal")
	teacher.Select("Format", "Lecture")
	teacher.Tick("Year 4")
	teacher.Tick("Year 5")
	teacher.Tick("In person and online")
	teacher.Fill("Venue", "Lecture Theatre 2, Medical School")
	teacher.Fill("Seats in the room", "40")
	teacher.Fill("Online meeting link", "https://teams.microsoft.com/l/meetup-join/acute-kidney-injury")
	teacher.Fill("Online places", "60")
	setValue(teacher.Scope, "Starts", inputTime(site, start))
	setValue(teacher.Scope, "Ends", inputTime(site, end))
	teacher.Checkpoint("hybrid-form")
	if status := teacher.Click("Save draft"); status != 200 {
		t.Fatalf("saving the draft answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectHeading(title)
	teacher.ExpectText("This is a draft.", "Lecture Theatre 2, Medical School, and online", "Years 4, 5")

	// They open the form again, give the room five more seats, and publish from it.
	teacher.Within(".manage-bar", "").Click("Edit")
	teacher.ExpectHeading("Edit session")
	teacher.ExpectText("Save draft")
	teacher.Fill("Seats in the room", "45")
	teacher.Checkpoint("edit-form")
	if status := teacher.Click("Publish"); status != 200 {
		t.Fatalf("publishing from the form answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectText("Published: students can now find and book this session.",
		"In the room: 45 of 45 seats left", "Online: 60 of 60 places left",
		"https://teams.microsoft.com/l/meetup-join/acute-kidney-injury")
	teacher.Checkpoint("hybrid-published")
	var s models.Session
	if err := site.DB.Read(t.Context()).Where("title = ?", title).First(&s).Error; err != nil {
		t.Fatal(err)
	}
	if s.Status != models.SessionPublished || s.Mode != models.ModeHybrid || s.InPersonCapacity != 45 || s.OnlineCapacity == nil || *s.OnlineCapacity != 60 {
		t.Errorf("stored: %s, %s, %d seats, %v online; want published, hybrid, 45 and 60", s.Status, s.Mode, s.InPersonCapacity, s.OnlineCapacity)
	}

	// Students book, in the room and online.
	for name, mode := range map[string]models.Mode{"Tom Evans": models.ModeOnline, "Aisha Khan": models.ModeOnline, "Sam Lee": models.ModeOnline,
		"Chen Wei": models.ModeInPerson, "Ruth Adeyemi": models.ModeInPerson} {
		seedBooking(t, site, students[name], s.ID, students[name], mode)
	}

	// Five minutes before the start the code goes up on the room's screen.
	site.Clock.Set(start.Add(-5 * time.Minute))
	teacher.Visit(fmt.Sprintf("/sessions/%d", s.ID))
	teacher.Click("Take attendance")
	teacher.ExpectHeading("Take attendance")
	teacher.ExpectText("Check-in code", "0 checked in at the venue · 0 checked in online")
	teacher.Checkpoint("check-in-screen")
	// Chen types the code on his phone; the screen counts him by itself.
	code := strings.TrimSpace(teacher.Within(".checkin-code", "").Text())
	apiCheckIn(t, site, "chen.wei@example.ac.uk", DefaultPassword, code)
	waitUntil(t, teacher.Within(".checkin-count", ""), "1 checked in at the venue", 15*time.Second)
	// The online code, for the call.
	teacher.Click("Online")
	teacher.ExpectText("Online check-in code", "Read this code out in the call")
	teacher.Checkpoint("online-code")

	// After the session: the register, where Ruth, who came without checking
	// in, is marked present.
	site.Clock.Set(end.Add(15 * time.Minute))
	teacher.Click("Open the register")
	teacher.ExpectHeading("Register")
	teacher.Row("Chen Wei").ExpectText("Present", "Check-in code")
	teacher.Checkpoint("register")
	ruth := teacher.Row("Ruth Adeyemi")
	ruth.Select("Status of Ruth Adeyemi", "Present")
	if got := ruth.Selected("Mode of Ruth Adeyemi"); got != "In person" {
		t.Errorf("Ruth's mode on the register is %q, want her booking's, In person", got)
	}
	ruth.Click("Save")
	teacher.ExpectText("Ruth Adeyemi: present, in person.")

	// The Teams report: Tom and Aisha stayed, Sam left after a minute,
	// Oliver came without booking, and a guest gave no e-mail address.
	report := teamsReport(title, start, end, society(site), []teamsParticipant{
		{Name: "Priya Shah", Email: "Priya.Shah@example.ac.uk", Role: "Organizer", Stay: 90 * time.Minute},
		{Name: "Tom Evans", Email: "tom.evans@example.ac.uk", Role: "Attendee", Join: 2 * time.Minute, Stay: 85*time.Minute + 12*time.Second},
		{Name: "Aisha Khan", Email: "aisha.khan@example.ac.uk", Role: "Attendee", Join: 11 * time.Minute, Stay: 71*time.Minute + 40*time.Second},
		{Name: "Sam Lee", Email: "sam.lee@example.ac.uk", Role: "Attendee", Join: 30 * time.Minute, Stay: 59 * time.Second},
		{Name: "Oliver Grant", Email: "oliver.grant@example.ac.uk", Role: "Attendee", Join: 5 * time.Minute, Stay: 80 * time.Minute},
		{Name: "Zoë Ó Briain (Guest)", Role: "Attendee", Join: 6 * time.Minute, Stay: 45*time.Minute + 3*time.Second},
	})
	file := filepath.Join(t.TempDir(), "Acute kidney injury - Attendance report 24-11-26.csv")
	if err := os.WriteFile(file, report, 0o644); err != nil {
		t.Fatal(err)
	}
	chooseFile(teacher.Scope, "Attendance report", file)
	if status := teacher.Click("Preview the import"); status != 200 {
		t.Fatalf("previewing the import answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectHeading("Check the import")
	teacher.ExpectText("Teams report “"+title+"”", "Nothing has changed yet.", "6 participants in the report")
	for who, what := range map[string]string{
		"Tom Evans":    "Will be marked present",
		"Aisha Khan":   "Will be marked present",
		"Oliver Grant": "Will be marked present",
		"Sam Lee":      "Not marked: stayed too short a time",
		"Zoë Ó Briain": "Not marked: no member matched",
		"Priya Shah":   "Not marked: a teacher of the session",
	} {
		teacher.Row(who).ExpectText(what)
	}
	teacher.Within(".stats", "").ExpectText("3 will be marked present", "1 stayed too short a time", "1 not matched to a member")
	teacher.Checkpoint("import-preview")
	if status := teacher.Click("Apply the import"); status != 200 {
		t.Fatalf("applying the import answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectHeading("Register")
	teacher.ExpectText("Marked 3 present; 1 not matched.")
	for _, who := range []string{"Tom Evans", "Aisha Khan", "Oliver Grant"} {
		teacher.Row(who).ExpectText("Present", "Online")
	}
	teacher.Row("Oliver Grant").ExpectText("Walk-in")
	teacher.Checkpoint("register-after-import")
	if a, found, err := models.AttendanceOf(t.Context(), site.DB, students["Tom Evans"].ID, s.ID); err != nil || !found ||
		a.Status != models.AttendancePresent || a.Source != models.SourceImport || a.Mode != models.ModeOnline {
		t.Errorf("Tom's stored attendance: %+v, %v, %v; want present online by import", a, found, err)
	}
	if _, found, _ := models.AttendanceOf(t.Context(), site.DB, students["Sam Lee"].ID, s.ID); found {
		t.Errorf("Sam, in the meeting for under a minute, has an attendance record")
	}

	// Feedback: with two answers the summary holds back the ratings ...
	seedFeedback(t, site, students["Chen Wei"], s.ID, 5, 5, 2, 4, "The staging table was clear.", "", "knowledge", "exam_preparation")
	seedFeedback(t, site, students["Tom Evans"], s.ID, 4, 5, 3, 4, "", "The online sound dropped twice.", "knowledge")
	teacher.Visit(fmt.Sprintf("/sessions/%d", s.ID))
	teacher.Within(".manage-bar", "").Click("Feedback")
	teacher.ExpectHeading(title)
	teacher.ExpectText("2 answers", "Ratings and comments are withheld for now.")
	teacher.ExpectNoText("The staging table was clear.")
	// ... and with a third it shows them, without names.
	seedFeedback(t, site, students["Ruth Adeyemi"], s.ID, 4, 4, 2, 3, "Good cases.", "More on fluids, please.", "knowledge", "clinical_skills")
	teacher.Visit(fmt.Sprintf("/sessions/%d/feedback/summary", s.ID))
	teacher.ExpectText("3 answers", "5 attended", "60% response rate", "4.3 / 5 overall rating", "4.7 / 5 teaching rating",
		"+1.3 average change in confidence", "The staging table was clear.", "More on fluids, please.", "The online sound dropped twice.")
	teacher.ExpectNoText("Withheld", "Chen Wei", "Ruth Adeyemi", "Tom Evans")
	// How the ratings are spread: overall, one 5 and two 4s.
	teacher.ExpectText("How the ratings are spread", "How many of the 3 answers gave each rating")
	teacher.Row("Overall").ExpectText("0 0 0 2 1")
	teacher.Checkpoint("feedback-summary")
	teacher.SetViewport(Phone)
	teacher.Checkpoint("feedback-summary-phone")
	teacher.SetViewport(Desktop)

	// Over all their teaching, and a certificate of it for their portfolio.
	teacher.Click("Feedback on all your teaching")
	teacher.ExpectHeading("Feedback on your teaching")
	teacher.Row(title).ExpectText("3", "5", "4.3")
	teacher.Checkpoint("teaching-feedback")
	teacher.Click("Get a teaching certificate")
	teacher.ExpectPath("/my/certificates")
	teacher.ExpectHeading("Your certificates")
	teacher.Checkpoint("certificates")
	if status := teacher.Click("Get a teaching certificate"); status != 200 {
		t.Fatalf("asking for a teaching certificate answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectHeading("Teaching certificate")
	teacher.ExpectText("Your teaching certificate has been issued.", "Priya Shah", "taught 1 near-peer teaching session",
		title, "Hours taught 1.5", "Attendances 5")
	teacher.Checkpoint("teaching-certificate")
	resp, body := download(teacher, linkHref(teacher.Scope, "Download the PDF"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
		t.Errorf("the teaching certificate's PDF answered %d, %s, starting %q", resp.StatusCode, resp.Header.Get("Content-Type"), body[:min(len(body), 8)])
	}
}
