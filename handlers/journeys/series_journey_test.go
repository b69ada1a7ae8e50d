package journeys

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// TestMaterialsJourney: a teacher shares the slides of their session and a
// quiz for those who come; a student with a place downloads the slides on
// their phone, and a student without one cannot.
func TestMaterialsJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	teacherUser := site.CreateUser(t, Member{Name: "Priya Shah", Email: "priya.shah@example.ac.uk", Role: models.RoleTeacher})
	student := site.CreateUser(t, Member{Name: "Tom Evans", Email: "tom.evans@example.ac.uk", Year: 2})
	site.CreateUser(t, Member{Name: "Sam Lee", Email: "sam.lee@example.ac.uk", Year: 2})
	start, end := slot(site, 3, 18, 0, 90*time.Minute)
	s := seedSession(t, site, teacherUser, sessionSeed{Title: "ECG basics", Topic: "Cardiology", Venue: "Lecture Theatre 2", Years: []int{2}, Seats: 30, Start: start, End: end})
	seedBooking(t, site, student, s.ID, student, models.ModeInPerson)

	slides := bytes.Repeat([]byte("ECG "), 60000)
	copy(slides, "%PDF-1.7\n")
	file := filepath.Join(t.TempDir(), "ECG basics – slides.pdf")
	if err := os.WriteFile(file, slides, 0o644); err != nil {
		t.Fatal(err)
	}

	teacher := br.NewPage("teacher", Desktop)
	teacher.LogIn("priya.shah@example.ac.uk", DefaultPassword)
	teacher.Visit(sessionPathOf(s.ID, "/manage"))
	teacher.ExpectText("No materials yet.")
	upload := teacher.Within("form", "Upload a file")
	chooseFile(upload, "File", file)
	upload.Tick("Students with a place, before and after the session")
	if status := upload.Click("Upload"); status != http.StatusOK {
		t.Fatalf("uploading answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectText("Added. Students with a place see it on the session page.", "ECG basics – slides", "PDF, 235 KB")
	link := teacher.Within("form", "Add a link")
	link.FillCSS("#m-link-url", "https://quiz.example.org/ecg")
	link.FillCSS("#m-link-title", "ECG quiz")
	link.Tick("Only those who came, after the session")
	if status := link.Click("Add the link"); status != http.StatusOK {
		t.Fatalf("adding the link answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectText("Those who came see it on the session page once the session has ended.", "ECG quiz", "Seen by: only those who came, after the session")
	teacher.Checkpoint("materials-manage")
	teacher.SetViewport(Phone)
	teacher.Checkpoint("materials-manage-phone")

	phone := br.NewPage("student", Phone)
	phone.LogIn("tom.evans@example.ac.uk", DefaultPassword)
	phone.Visit(sessionPathOf(s.ID, ""))
	materials := phone.Within("section", "Materials")
	materials.ExpectText("ECG basics – slides", "PDF, 235 KB", "More materials appear here for those who came")
	materials.ExpectNoText("ECG quiz")
	phone.Checkpoint("materials-student-phone")
	href := linkHref(materials, "ECG basics – slides")
	resp, body := download(phone, href)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, slides) {
		t.Fatalf("the download answered %d with %d bytes", resp.StatusCode, len(body))
	}
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/pdf" ||
		!strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''ECG%20basics%20%E2%80%93%20slides.pdf") {
		t.Errorf("downloaded as %q, %q", ct, cd)
	}
	phone.SetViewport(Desktop)
	phone.Checkpoint("materials-student")

	other := br.NewPage("student without a place", Phone)
	other.LogIn("sam.lee@example.ac.uk", DefaultPassword)
	other.Visit(sessionPathOf(s.ID, ""))
	other.ExpectText("This session's materials are shared with students who have a place")
	other.ExpectNoText("ECG basics – slides")
	if resp, _ := download(other, href); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a student without a place downloads the slides: %d", resp.StatusCode)
	}
}

// TestSeriesJourney: a teacher makes a weekly series on the form, skipping
// reading week, and publishes it; a student books the whole series on their
// phone and sees which places are theirs and where they wait.
func TestSeriesJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	site.CreateUser(t, Member{Name: "Priya Shah", Email: "priya.shah@example.ac.uk", Role: models.RoleTeacher})
	site.CreateUser(t, Member{Name: "Tom Evans", Email: "tom.evans@example.ac.uk", Year: 2})
	start, end := slot(site, 2, 18, 0, 90*time.Minute)
	skip := start.In(society(site)).AddDate(0, 0, 14).Format("2006-01-02")

	teacher := br.NewPage("teacher", Desktop)
	teacher.LogIn("priya.shah@example.ac.uk", DefaultPassword)
	teacher.Click("My teaching")
	teacher.Click("New weekly series")
	teacher.ExpectHeading("New weekly series")
	teacher.Fill("Title", "Year 2 anatomy")
	teacher.Select("Format", "Small group")
	teacher.Tick("Year 2")
	teacher.Tick("In person")
	teacher.Fill("Venue", "Dissection room")
	teacher.Fill("Seats in the room", "12")
	setValue(teacher.Scope, "Starts", inputTime(site, start))
	setValue(teacher.Scope, "Ends", inputTime(site, end))
	teacher.Fill("For how many weeks", "4")
	teacher.Fill("Dates to skip", skip)
	teacher.Checkpoint("series-form")
	if status := teacher.Click("Save draft"); status != http.StatusOK {
		t.Fatalf("saving the series answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectHeading("Year 2 anatomy")
	teacher.ExpectText("A weekly series of 3 sessions.", "3 of these sessions are drafts")
	teacher.Checkpoint("series-drafts")
	if status := teacher.Click("Publish all 3 drafts"); status != http.StatusOK {
		t.Fatalf("publishing answered %d", status)
	}
	teacher.ExpectText("Published: students can now find and book every session of the series")
	series := teacher.Path()

	phone := br.NewPage("student", Phone)
	phone.LogIn("tom.evans@example.ac.uk", DefaultPassword)
	phone.Visit(series)
	phone.ExpectText("Book the whole series")
	phone.Checkpoint("series-student-phone")
	if status := phone.Click("Book all 3 sessions"); status != http.StatusOK {
		t.Fatalf("booking the series answered %d", status)
	}
	phone.ExpectText("You have a place on 3 sessions.", "Booked, in person")
	phone.ExpectNoText("Book the whole series")
	phone.Checkpoint("series-booked-phone")
	phone.SetViewport(Desktop)
	phone.Checkpoint("series-booked")
}

// sessionPathOf is the address of a session's page, or of one under it.
func sessionPathOf(id int64, rest string) string {
	return "/sessions/" + strconv.FormatInt(id, 10) + rest
}
