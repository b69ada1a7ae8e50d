package models_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// exportSettings makes links the tests can read the secret back from.
var exportSettings = models.ExportSettings{
	BaseURL: "https://rounds.example.org",
	LinkURL: func(secret string) string { return "https://rounds.example.org/me/export/" + secret },
}

// exportSecrets are the secrets of the data_export_ready e-mails queued to u.
func exportSecrets(t *testing.T, db *store.Store, u models.User) []string {
	t.Helper()
	ms, err := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailDataExportReady, To: u.Email})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		link := m.DataMap()["link"]
		secret, ok := strings.CutPrefix(link, "https://rounds.example.org/me/export/")
		if !ok || m.UserID == nil || *m.UserID != u.ID {
			t.Fatalf("export e-mail %+v links to %q", m, link)
		}
		out = append(out, secret)
	}
	return out
}

// unzip reads every file of a ZIP.
func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
	}
	return files
}

// jsonRows reads one of the export's JSON files.
func jsonRows(t *testing.T, files map[string]string, name string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(files[name]), &rows); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, files[name])
	}
	return rows
}

// csvRows reads one of the export's CSV files, its header first.
func csvRows(t *testing.T, files map[string]string, name string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(files[name])).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

func TestDataExportHoldsTheMembersOwnDataOnly(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		_, mr, me, s, pairID := introduce(t, db)
		other := testkit.Member(t, db, testkit.Year(1), testkit.Name("Bea Other"), testkit.Direct())

		// A meeting, a note from each side, goals, a request to end, and
		// both sides' questionnaire answers.
		at := mtMatchAt.Add(7 * 24 * time.Hour)
		m, err := models.ProposeMeeting(t.Context(), db, me, pairID, models.MeetingInput{StartsAt: at.Add(48 * time.Hour), Minutes: 45, Mode: models.ModeOnline, PlaceOrURL: "https://meet.example.org/gp"}, at)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.AcceptMeeting(t.Context(), db, mr, m.ID, at); err != nil {
			t.Fatal(err)
		}
		after := at.Add(72 * time.Hour)
		mentorNote, myNote := "The mentor's private note: seemed anxious.", "Ask about the GP placement."
		if _, err := models.MarkMeeting(t.Context(), db, mr, m.ID, ptr(true), &mentorNote, after); err != nil {
			t.Fatal(err)
		}
		if _, err := models.MarkMeeting(t.Context(), db, me, m.ID, ptr(true), &myNote, after); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SetGoals(t.Context(), db, me, pairID, "Decide on an elective"); err != nil {
			t.Fatal(err)
		}
		if _, err := models.RequestEnd(t.Context(), db, me, pairID, "Our times never fit.", after); err != nil {
			t.Fatal(err)
		}
		if err := models.SubmitAnswers(t.Context(), db, me, s.ID, models.PhaseBefore, map[string]any{"belonging": 2.0, "in_words": "Nervous about exams"}, after); err != nil {
			t.Fatal(err)
		}
		if err := models.SubmitAnswers(t.Context(), db, mr, s.ID, models.PhaseBefore, map[string]any{"guiding": 4.0, "in_words": "The mentor's own answer"}, after); err != nil {
			t.Fatal(err)
		}

		// A session the mentor teaches: the mentee and another student
		// book, come and give feedback.
		start := after.Add(24 * time.Hour)
		sess := testkit.Session(t, db, mr, testkit.Title("=Chest X-rays"), testkit.Starts(start), testkit.Published())
		for _, u := range []models.User{me, other} {
			testkit.Book(t, db, u, sess, models.ModeInPerson)
			testkit.Mark(t, db, u, sess, models.AttendancePresent)
		}
		for u, words := range map[models.User]string{me: "The flashcards helped", other: "Bea's own comment"} {
			if _, _, err := models.SubmitFeedback(t.Context(), db, u, sess.ID, models.FeedbackInput{Overall: 5, Teaching: 4, ConfidenceBefore: 2, ConfidenceAfter: 4,
				Benefits: []models.Benefit{models.BenefitKnowledge}, WentWell: words, Improve: "@SUM(1)"}, sess.EndsAt); err != nil {
				t.Fatal(err)
			}
		}
		if err := models.SetMailPreferences(t.Context(), db, me, []models.MailTopic{models.TopicSessionReminders}, after); err != nil {
			t.Fatal(err)
		}

		now := sess.EndsAt.Add(time.Hour)
		if _, err := models.RequestDataExport(t.Context(), db, me, now); err != nil {
			t.Fatal(err)
		}
		if n, err := models.PrepareDataExports(t.Context(), db, exportSettings, now.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("prepared %d: %v", n, err)
		}
		secrets := exportSecrets(t, db, me)
		if len(secrets) != 1 {
			t.Fatalf("%d e-mails", len(secrets))
		}
		f, err := models.DownloadDataExport(t.Context(), db, me, secrets[0], now.Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(f.Name, ".zip") {
			t.Errorf("file name %q", f.Name)
		}
		files := unzip(t, f.Data)

		parts := []string{"profile", "bookings", "attendance", "feedback", "certificates", "teaching", "mentoring_applications",
			"mentoring_pairs", "mentoring_meetings", "mentoring_end_requests", "mentoring_questionnaires", "mail_preferences", "emails"}
		if len(files) != 2*len(parts)+1 {
			t.Errorf("%d files in the ZIP, want README.txt and %d parts", len(files), len(parts))
		}
		for _, p := range parts {
			if _, ok := files[p+".json"]; !ok {
				t.Errorf("no %s.json", p)
			}
			if _, ok := files[p+".csv"]; !ok {
				t.Errorf("no %s.csv", p)
			}
			if !strings.Contains(files["README.txt"], p+".json, "+p+".csv") {
				t.Errorf("README.txt does not say what %s is", p)
			}
			// Both files of a part hold the same rows and columns.
			js, cs := jsonRows(t, files, p+".json"), csvRows(t, files, p+".csv")
			if len(cs) == 0 || len(cs)-1 != len(js) {
				t.Errorf("%s: %d JSON rows, %d CSV lines", p, len(js), len(cs))
				continue
			}
			for _, row := range js {
				if len(row) != len(cs[0]) {
					t.Errorf("%s: JSON keys %v, CSV columns %v", p, row, cs[0])
				}
				for _, col := range cs[0] {
					if _, ok := row[col]; !ok {
						t.Errorf("%s.json lacks the column %q", p, col)
					}
				}
			}
		}
		everything := strings.Join(func() []string {
			var all []string
			for _, v := range files {
				all = append(all, v)
			}
			return all
		}(), "\n")
		for _, secret := range []string{mentorNote, "The mentor's own answer", "Bea's own comment", "Bea Other", mr.Email} {
			if strings.Contains(everything, secret) {
				t.Errorf("the export holds someone else's %q", secret)
			}
		}

		if p := jsonRows(t, files, "profile.json"); len(p) != 1 || p[0]["email"] != me.Email || p[0]["name"] != "Ada Obi" {
			t.Errorf("profile: %+v", p)
		}
		if b := jsonRows(t, files, "bookings.json"); len(b) != 1 || b[0]["session_title"] != "=Chest X-rays" || b[0]["status"] != models.BookingConfirmed.Label() ||
			b[0]["starts_at"] != sess.StartsAt.UTC().Format(time.RFC3339) {
			t.Errorf("bookings: %+v", b)
		}
		if a := jsonRows(t, files, "attendance.json"); len(a) != 1 || a[0]["status"] != models.AttendancePresent.Label() {
			t.Errorf("attendance: %+v", a)
		}
		fb := jsonRows(t, files, "feedback.json")
		if len(fb) != 1 || fb[0]["went_well"] != "The flashcards helped" || fb[0]["overall"] != 5.0 || fb[0]["confidence_after"] != 4.0 {
			t.Errorf("feedback: %+v", fb)
		}
		// A cell a spreadsheet would run starts with an apostrophe in the
		// CSV, and is as written in the JSON.
		fc := csvRows(t, files, "feedback.csv")
		if len(fc) != 2 || fc[1][1] != "'=Chest X-rays" || fc[1][len(fc[1])-1] != "'@SUM(1)" || fb[0]["improve"] != "@SUM(1)" {
			t.Errorf("feedback.csv: %q", fc)
		}
		if c := jsonRows(t, files, "certificates.json"); len(c) != 1 || !strings.HasPrefix(c[0]["url"].(string), "https://rounds.example.org/certificates/") {
			t.Errorf("certificates: %+v", c)
		}
		if tt := jsonRows(t, files, "teaching.json"); len(tt) != 0 {
			t.Errorf("the mentee taught: %+v", tt)
		}
		pairs := jsonRows(t, files, "mentoring_pairs.json")
		if len(pairs) != 1 || pairs[0]["partner"] != "Dr Gita Patel" || pairs[0]["goals"] != "Decide on an elective" || pairs[0]["my_role"] != models.RoleMentee.Label() {
			t.Errorf("pairs: %+v", pairs)
		}
		meetings := jsonRows(t, files, "mentoring_meetings.json")
		if len(meetings) != 1 || meetings[0]["my_note"] != myNote || meetings[0]["held"] != true {
			t.Errorf("meetings: %+v", meetings)
		}
		if e := jsonRows(t, files, "mentoring_end_requests.json"); len(e) != 1 || e[0]["reason"] != "Our times never fit." {
			t.Errorf("end requests: %+v", e)
		}
		answers := map[string]any{}
		for _, r := range jsonRows(t, files, "mentoring_questionnaires.json") {
			answers[r["question"].(string)] = r["answer"]
		}
		if answers["Anything you would like to add, in your own words."] != "Nervous about exams" || len(answers) != 2 {
			t.Errorf("questionnaire answers: %+v", answers)
		}
		if a := jsonRows(t, files, "mentoring_applications.json"); len(a) != 1 || a[0]["role"] != models.RoleMentee.Label() || a[0]["availability"] != "Tuesday evenings" {
			t.Errorf("applications: %+v", a)
		}
		prefs := map[string]any{}
		for _, r := range jsonRows(t, files, "mail_preferences.json") {
			prefs[r["email"].(string)] = r["on"]
		}
		if prefs[models.TopicSessionReminders.Label()] != true || prefs[models.TopicFeedbackRequests.Label()] != false {
			t.Errorf("mail preferences: %+v", prefs)
		}
		kinds := map[string]bool{}
		for _, r := range jsonRows(t, files, "emails.json") {
			kinds[r["kind"].(string)] = true
		}
		for _, k := range []models.MailKind{models.MailBookingConfirmed, models.MailMentoringIntroduction} {
			if !kinds[k.Label()] {
				t.Errorf("emails lack %q: %v", k.Label(), kinds)
			}
		}

		// The mentor's own export has their note and answer, and the
		// session they taught, but not the mentee's note.
		if _, err := models.RequestDataExport(t.Context(), db, mr, now); err != nil {
			t.Fatal(err)
		}
		zipped, err := models.ExportZIP(t.Context(), db, mr, exportSettings.BaseURL, now)
		if err != nil {
			t.Fatal(err)
		}
		theirs := unzip(t, zipped)
		if !strings.Contains(theirs["mentoring_meetings.json"], "seemed anxious") || strings.Contains(theirs["mentoring_meetings.json"], myNote) ||
			!strings.Contains(theirs["mentoring_questionnaires.csv"], "The mentor's own answer") || strings.Contains(theirs["mentoring_questionnaires.csv"], "Nervous") {
			t.Errorf("the mentor's mentoring:\n%s\n%s", theirs["mentoring_meetings.json"], theirs["mentoring_questionnaires.csv"])
		}
		if tt := jsonRows(t, theirs, "teaching.json"); len(tt) != 1 || tt[0]["title"] != "=Chest X-rays" {
			t.Errorf("the mentor's teaching: %+v", tt)
		}
	})
}

func TestDataExportLinkWorksOnceForItsMember(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		me := testkit.Member(t, db, testkit.Year(2), testkit.Direct())
		other := testkit.Member(t, db, testkit.Year(2), testkit.Direct())
		now := testkit.T0
		r, err := models.RequestDataExport(t.Context(), db, me, now)
		if err != nil || r.Status != models.DataRequestWaiting || r.Kind != models.DataExport {
			t.Fatalf("request: %+v %v", r, err)
		}
		if _, err := models.RequestDataExport(t.Context(), db, me, now.Add(time.Minute)); !isErr(err, models.ErrExportInProgress) {
			t.Errorf("a second while the first is prepared: %v", err)
		}
		if e, _ := models.LatestExport(t.Context(), db, me); e == nil || e.Status != models.DataRequestWaiting {
			t.Errorf("latest: %+v", e)
		}

		// Two instances run the job at once, then again: one file, one e-mail.
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := models.PrepareDataExports(t.Context(), db, exportSettings, now.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if n, err := models.PrepareDataExports(t.Context(), db, exportSettings, now.Add(2*time.Minute)); err != nil || n != 0 || counts[0]+counts[1] != 1 {
			t.Errorf("prepared %v then %d: %v", counts, n, err)
		}
		secrets := exportSecrets(t, db, me)
		if len(secrets) != 1 {
			t.Fatalf("%d e-mails", len(secrets))
		}
		e, _ := models.LatestExport(t.Context(), db, me)
		if e == nil || e.Status != models.DataRequestReady || e.ExpiresAt == nil || !e.ExpiresAt.Equal(now.Add(time.Minute+models.ExportLinkTTL)) {
			t.Errorf("latest once sent: %+v", e)
		}

		at := now.Add(time.Hour)
		if _, err := models.DownloadDataExport(t.Context(), db, other, secrets[0], at); !errors.Is(err, models.ErrExportLinkUnknown) {
			t.Errorf("another member: %v", err)
		}
		if _, err := models.DownloadDataExport(t.Context(), db, me, "not-a-secret", at); !errors.Is(err, models.ErrExportLinkUnknown) {
			t.Errorf("a wrong link: %v", err)
		}
		f, err := models.DownloadDataExport(t.Context(), db, me, secrets[0], at)
		if err != nil || len(unzip(t, f.Data)) == 0 {
			t.Fatalf("download: %v", err)
		}
		if _, err := models.DownloadDataExport(t.Context(), db, me, secrets[0], at.Add(time.Second)); !errors.Is(err, models.ErrExportLinkUsed) {
			t.Errorf("a second download: %v", err)
		}
		if e, _ := models.LatestExport(t.Context(), db, me); e == nil || e.Status != models.DataRequestDone {
			t.Errorf("latest once downloaded: %+v", e)
		}
		// Another member's refusal comes before telling them it was used.
		if _, err := models.DownloadDataExport(t.Context(), db, other, secrets[0], at); !errors.Is(err, models.ErrExportLinkUnknown) {
			t.Errorf("another member, once used: %v", err)
		}
	})
}

func TestDataExportLimitsAndExpiry(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		me := testkit.Member(t, db, testkit.Year(2), testkit.Direct())
		now := testkit.T0
		for i := range models.ExportsPerDay {
			at := now.Add(time.Duration(i) * time.Hour)
			if _, err := models.RequestDataExport(t.Context(), db, me, at); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
			if n, err := models.PrepareDataExports(t.Context(), db, exportSettings, at.Add(time.Minute)); err != nil || n != 1 {
				t.Fatalf("prepare %d: %d %v", i+1, n, err)
			}
		}
		_, err := models.RequestDataExport(t.Context(), db, me, now.Add(3*time.Hour))
		var rl *models.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfterSeconds != 21*3600 {
			t.Errorf("a fourth within a day: %v", err)
		}
		if _, err := models.RequestDataExport(t.Context(), db, me, now.Add(24*time.Hour)); err != nil {
			t.Errorf("a day after the first: %v", err)
		}

		secrets := exportSecrets(t, db, me)
		if len(secrets) != 3 {
			t.Fatalf("%d e-mails", len(secrets))
		}
		// The e-mails come newest first. The first link (sent at 09:01)
		// expires 24 hours later; the others have not, and one is used.
		first, used := secrets[2], secrets[1]
		if _, err := models.DownloadDataExport(t.Context(), db, me, used, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		end := now.Add(time.Minute + models.ExportLinkTTL)
		if _, err := models.DownloadDataExport(t.Context(), db, me, first, end); !errors.Is(err, models.ErrExportLinkExpired) {
			t.Errorf("the first link at its 24 hours: %v", err)
		}
		res, err := models.ApplyRetention(t.Context(), db, models.Retention{}, end)
		if err != nil || res.ExportsDeleted != 1 {
			t.Errorf("retention deleted %d export files: %v", res.ExportsDeleted, err)
		}
		if res, err := models.ApplyRetention(t.Context(), db, models.Retention{}, end); err != nil || res.ExportsDeleted != 0 {
			t.Errorf("retention again: %+v %v", res, err)
		}
		// Once every link is past its 24 hours, the unused ones read as
		// expired and the used one as done; no file is left.
		later := now.Add(3*time.Hour + models.ExportLinkTTL)
		if res, err := models.ApplyRetention(t.Context(), db, models.Retention{}, later); err != nil || res.ExportsDeleted != 1 {
			t.Errorf("retention later: %+v %v", res, err)
		}
		var statuses []models.DataRequestStatus
		if err := db.Read(t.Context()).Model(&models.DataRequest{}).Where("user_id = ? AND status <> ?", me.ID, models.DataRequestWaiting).
			Order("requested_at").Pluck("status", &statuses).Error; err != nil {
			t.Fatal(err)
		}
		want := []models.DataRequestStatus{models.DataRequestExpired, models.DataRequestDone, models.DataRequestExpired}
		if len(statuses) != 3 || statuses[0] != want[0] || statuses[1] != want[1] || statuses[2] != want[2] {
			t.Errorf("statuses %v, want %v", statuses, want)
		}
		if _, err := models.DownloadDataExport(t.Context(), db, me, first, later); !errors.Is(err, models.ErrExportLinkExpired) {
			t.Errorf("an expired link after retention: %v", err)
		}
	})
}
