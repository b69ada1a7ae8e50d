package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func fbGood() models.FeedbackInput {
	return models.FeedbackInput{Overall: 5, Teaching: 4, ConfidenceBefore: 2, ConfidenceAfter: 4,
		Benefits: []models.Benefit{"knowledge", "exam_preparation"}, WentWell: "Clear ECG examples", Improve: "More time for questions"}
}

func TestFeedbackEligibilityAndOnce(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
		attendee := testkit.Member(t, db, testkit.Email("attendeea@x.ac.uk"), testkit.Year(2))
		testkit.Book(t, db, attendee, s, "")
		testkit.Mark(t, db, attendee, s, models.AttendancePresent, testkit.At(atStart.Add(time.Hour)))
		booked := testkit.Member(t, db, testkit.Email("noshow@x.ac.uk"), testkit.Year(2))
		testkit.Book(t, db, booked, s, "")
		models.MarkRegister(t.Context(), db, teacher, s.ID, booked.ID, models.RegisterEntry{Status: models.AttendanceAbsent}, atStart.Add(time.Hour))
		stranger := testkit.Member(t, db, testkit.Email("stranger@x.ac.uk"), testkit.Year(2))
		after := atStart.Add(2 * time.Hour)

		for _, u := range []models.User{booked, stranger} {
			if _, _, err := models.SubmitFeedback(t.Context(), db, u, s.ID, fbGood(), after); !isErr(err, models.ErrDidNotAttend) {
				t.Errorf("%s: %v", u.Email, err)
			}
		}
		bad := fbGood()
		bad.Overall, bad.Benefits = 6, []models.Benefit{"free pizza"}
		_, _, err := models.SubmitFeedback(t.Context(), db, attendee, s.ID, bad, after)
		var ve *models.ValidationError
		if !asValidation(err, &ve) || ve.Fields["overall"] == "" || ve.Fields["benefits"] == "" {
			t.Errorf("invalid feedback: %v", err)
		}
		long := fbGood()
		long.Improve = strings.Repeat("x", 2001)
		if _, _, err := models.SubmitFeedback(t.Context(), db, attendee, s.ID, long, after); !asValidation(err, &ve) {
			t.Errorf("2001-character comment: %v", err)
		}

		fb, cert, err := models.SubmitFeedback(t.Context(), db, attendee, s.ID, fbGood(), after)
		if err != nil || fb.ID == 0 || cert.Kind != models.CertificateAttendance || !strings.HasPrefix(cert.Code, "RND-") {
			t.Fatalf("feedback: %+v %+v %v", fb, cert, err)
		}
		if _, _, err := models.SubmitFeedback(t.Context(), db, attendee, s.ID, fbGood(), after); !isErr(err, models.ErrFeedbackGiven) {
			t.Errorf("second feedback: %v", err)
		}
		facts, _ := cert.Attendance()
		if facts.StudentName != attendee.Name || facts.SessionTitle != s.Title || facts.DurationMinutes != 90 || len(facts.Teachers) != 1 {
			t.Errorf("certificate facts = %+v", facts)
		}
		found, err := models.CertificateByCode(t.Context(), db, strings.ToLower(strings.ReplaceAll(cert.Code, "-", " ")))
		if err != nil || found.ID != cert.ID {
			t.Errorf("verify by typed code: %v", err)
		}
		msgs, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailCertificateIssued})
		if len(msgs) != 1 || msgs[0].ToAddr != attendee.Email || msgs[0].DataMap()["code"] != cert.Code {
			t.Errorf("certificate e-mail: %+v", msgs)
		}
	})
}

func asValidation(err error, ve **models.ValidationError) bool {
	v, ok := err.(*models.ValidationError)
	if ok {
		*ve = v
	}
	return ok
}

func TestFeedbackSummaryAnonymity(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
		var us []models.User // four who came
		for _, email := range []string{"attendeea@x.ac.uk", "attendeeb@x.ac.uk", "attendeec@x.ac.uk", "attendeed@x.ac.uk"} {
			u := testkit.Member(t, db, testkit.Email(email), testkit.Year(2))
			testkit.Book(t, db, u, s, "")
			testkit.Mark(t, db, u, s, models.AttendancePresent, testkit.At(atStart.Add(time.Hour)))
			us = append(us, u)
		}
		after := atStart.Add(2 * time.Hour)
		answers := []models.FeedbackInput{
			{Overall: 5, Teaching: 5, ConfidenceBefore: 1, ConfidenceAfter: 4, Benefits: []models.Benefit{"knowledge"}, WentWell: "Great"},
			{Overall: 3, Teaching: 4, ConfidenceBefore: 3, ConfidenceAfter: 3, Benefits: []models.Benefit{"knowledge", "community"}, Improve: "Slower"},
			{Overall: 4, Teaching: 3, ConfidenceBefore: 2, ConfidenceAfter: 4},
		}
		for i, in := range answers[:2] {
			if _, _, err := models.SubmitFeedback(t.Context(), db, us[i], s.ID, in, after); err != nil {
				t.Fatal(err)
			}
		}
		sum, err := models.SessionFeedbackSummary(t.Context(), db, teacher, s.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Withheld || sum.Responses != 2 || sum.Attended != 4 || *sum.ResponseRate != 0.5 || sum.OverallAvg != nil || len(sum.Comments) != 0 {
			t.Errorf("below the threshold: %+v", sum)
		}
		models.SubmitFeedback(t.Context(), db, us[2], s.ID, answers[2], after)
		sum, _ = models.SessionFeedbackSummary(t.Context(), db, teacher, s.ID, 3)
		if sum.Withheld || sum.Responses != 3 || *sum.OverallAvg != 4 || *sum.TeachingAvg != 4 || *sum.ConfidenceGainAvg != 1.67 ||
			sum.Benefits["knowledge"] != 2 || sum.Benefits["community"] != 1 || sum.Benefits["motivation"] != 0 || len(sum.Comments) != 2 {
			t.Errorf("at the threshold: %+v", sum)
		}
		raw, _ := json.Marshal(sum)
		for _, u := range us {
			if strings.Contains(string(raw), u.Name) || strings.Contains(string(raw), u.Email) {
				t.Errorf("summary names a student: %s", raw)
			}
		}
		// Only its teachers and committee read it.
		if _, err := models.SessionFeedbackSummary(t.Context(), db, us[0], s.ID, 3); err == nil {
			t.Error("a student read the summary")
		}

		// The teacher's record over the term.
		c, err := models.IssueTeachingCertificate(t.Context(), db, teacher, atStart.AddDate(0, -1, 0), atStart.AddDate(0, 1, 0), 3, after)
		if err != nil {
			t.Fatal(err)
		}
		facts, _ := c.Teaching()
		if facts.TotalSessions != 1 || facts.TotalHours != 1.5 || facts.TotalAttendees != 4 || facts.Responses != 3 || *facts.OverallAvg != 4 {
			t.Errorf("teaching facts = %+v", facts)
		}
		if _, err := models.IssueTeachingCertificate(t.Context(), db, teacher, atStart, atStart.Add(-time.Hour), 3, after); err == nil {
			t.Error("a period ending before it starts")
		}
		_, err = models.IssueTeachingCertificate(t.Context(), db, teacher, after.Add(time.Hour), after.AddDate(0, 1, 0), 3, after)
		if ve := (*models.ValidationError)(nil); !errors.As(err, &ve) || ve.Fields["from"] == "" {
			t.Errorf("a period that starts in the future: %v", err)
		}
		certs, _ := models.CertificatesOf(t.Context(), db, teacher.ID)
		if len(certs) != 1 || certs[0].Kind != models.CertificateTeaching {
			t.Errorf("teacher's certificates = %+v", certs)
		}

		// Many sessions at once, each summed up alone: the same figures for
		// this one, none for a session nobody came to, and nothing for a
		// session the actor does not teach.
		other := testkit.Member(t, db, testkit.Email("other@x.ac.uk"), testkit.Role(models.RoleTeacher))
		empty := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
		notMine := testkit.Session(t, db, other, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
		chair := testkit.Member(t, db, testkit.Email("chair@x.ac.uk"), testkit.Role(models.RoleCommittee))
		ids := []int64{s.ID, empty.ID, notMine.ID}
		sums, err := models.SessionFeedbackSummaries(t.Context(), db, teacher, ids, 3)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := sums[notMine.ID]; ok || len(sums) != 2 {
			t.Errorf("the teacher's summaries cover %d sessions, another teacher's among them: %v", len(sums), ok)
		}
		if one, _ := json.Marshal(sums[s.ID]); string(one) != string(raw) {
			t.Errorf("summed up with others:\n%s\nalone:\n%s", one, raw)
		}
		if e := sums[empty.ID]; !e.Withheld || e.Responses != 0 || e.Attended != 0 || e.ResponseRate != nil {
			t.Errorf("a session nobody came to: %+v", e)
		}
		if sums, _ := models.SessionFeedbackSummaries(t.Context(), db, chair, ids, 3); len(sums) != 3 {
			t.Errorf("committee's summaries cover %d of 3 sessions", len(sums))
		}
		if sums, _ := models.SessionFeedbackSummaries(t.Context(), db, us[0], ids, 3); len(sums) != 0 {
			t.Errorf("a student reads %d summaries", len(sums))
		}
	})
}
