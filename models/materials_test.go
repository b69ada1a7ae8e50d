package models_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"

	"gorm.io/gorm"
)

// pdfOf is a file that reads as a PDF, n bytes long.
func pdfOf(n int) []byte {
	b := bytes.Repeat([]byte("x"), n)
	copy(b, "%PDF-1.7\n")
	return b
}

func TestMaterials(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		other := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		booked, waiting, nobody := testkit.Member(t, db, testkit.Year(2)), testkit.Member(t, db, testkit.Year(2)), testkit.Member(t, db, testkit.Year(2))
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Seats(1))
		testkit.Book(t, db, booked, s, "")
		testkit.Book(t, db, waiting, s, "")
		now := testkit.T0

		slides := pdfOf(3<<20 + 12345) // over three chunks of a megabyte
		pdf, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{Filename: "Week 1.pdf", Data: slides}, now)
		if err != nil {
			t.Fatal(err)
		}
		if pdf.Kind != models.MaterialFile || pdf.Title != "Week 1" || pdf.Filename != "Week 1.pdf" || pdf.ContentType != "application/pdf" ||
			pdf.Size != int64(len(slides)) || pdf.Visible != models.VisibleBookedBefore || pdf.DownloadURL == "" {
			t.Fatalf("file %+v", pdf)
		}
		link, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{URL: "https://example.org/answers", Visible: models.VisibleAttendeesAfter}, now)
		if err != nil || link.Kind != models.MaterialLink || link.Title != "example.org" {
			t.Fatalf("link %+v, %v", link, err)
		}

		// Refused: who may not, and what may not be shared.
		for _, who := range []models.User{other, booked} {
			if _, err := models.AddMaterial(t.Context(), db, who, s.ID, models.MaterialInput{URL: "https://example.org"}, now); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("%s added a material: %v", who.Name, err)
			}
		}
		for _, bad := range []struct {
			in    models.MaterialInput
			field string
		}{
			{models.MaterialInput{Filename: "page.pdf", Data: []byte("<html><script>alert(1)</script></html>")}, "file"},
			{models.MaterialInput{Filename: "big.pdf", Data: pdfOf(models.MaxMaterialFile + 1)}, "file"},
			{models.MaterialInput{Filename: "empty.pdf", Data: []byte{}}, "file"},
			{models.MaterialInput{URL: "javascript:alert(1)"}, "url"},
			{models.MaterialInput{URL: "ftp://example.org/x"}, "url"},
			{models.MaterialInput{}, "url"},
			{models.MaterialInput{URL: "https://example.org", Visible: "everyone"}, "visible"},
			{models.MaterialInput{URL: "https://example.org", Title: strings.Repeat("t", 201)}, "title"},
		} {
			_, err := models.AddMaterial(t.Context(), db, teacher, s.ID, bad.in, now)
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields[bad.field] == "" {
				t.Errorf("%+v: %v, want a problem with %s", bad.in.Filename+bad.in.URL, err, bad.field)
			}
		}

		// Who sees what, before the session.
		sees := func(u models.User, at time.Time) (titles []string, hidden int) {
			t.Helper()
			ms, hidden, err := models.SessionMaterials(t.Context(), db, u, s, at)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				titles = append(titles, m.Title)
			}
			return titles, hidden
		}
		for _, c := range []struct {
			who    models.User
			want   string
			hidden int
		}{{teacher, "Week 1,example.org", 0}, {booked, "Week 1", 1}, {waiting, "", 2}, {nobody, "", 2}} {
			if got, hidden := sees(c.who, now); strings.Join(got, ",") != c.want || hidden != c.hidden {
				t.Errorf("%s sees %v (%d hidden), want %s (%d)", c.who.Name, got, hidden, c.want, c.hidden)
			}
		}
		if _, err := models.VisibleMaterial(t.Context(), db, nobody, pdf.ID, now); err == nil || !strings.Contains(err.Error(), "with a place") {
			t.Fatalf("a student without a place downloads: %v", err)
		}
		var de *models.Error
		if _, err := models.VisibleMaterial(t.Context(), db, booked, link.ID, now); !errors.As(err, &de) || de.Kind != models.KindForbidden {
			t.Fatalf("the attendees' link before the session: %v", err)
		}
		if _, err := models.VisibleMaterial(t.Context(), db, booked, pdf.ID, now); err != nil {
			t.Fatal(err)
		}

		// The file comes back whole, a piece at a time.
		var got []byte
		for off := int64(0); off < pdf.Size; off += 1 << 20 {
			part, err := models.ReadMaterialFile(t.Context(), db, pdf.ID, off, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, part...)
		}
		if !bytes.Equal(got, slides) {
			t.Fatalf("read back %d bytes, not the %d uploaded", len(got), len(slides))
		}

		// After the session, those who came see the attendees' link.
		testkit.Mark(t, db, booked, s, models.AttendancePresent)
		after := s.EndsAt.Add(time.Hour)
		if got, _ := sees(booked, after); strings.Join(got, ",") != "Week 1,example.org" {
			t.Errorf("after the session the attendee sees %v", got)
		}
		if n := len(sbMail(t, db, models.MailMaterialsAdded)); n != 0 {
			t.Fatalf("%d materials e-mails for materials added before the session", n)
		}

		// Added after the session: one e-mail to whoever sees them, however many files.
		for i, name := range []string{"Answers.pdf", "Extra.pdf"} {
			if _, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{Filename: name, Data: pdfOf(100), Visible: models.VisibleAttendeesAfter}, after.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		mails := sbMail(t, db, models.MailMaterialsAdded)
		if len(mails) != 1 || *mails[0].UserID != booked.ID || !mails[0].NextAttemptAt.Equal(after.Add(models.MaterialsMailDelay)) {
			t.Fatalf("materials e-mails: %+v", mails)
		}
		// Once that has gone, a later file is news again.
		if err := db.Write(t.Context(), func(tx *gorm.DB) error {
			return tx.Model(&models.OutboxMessage{}).Where("id = ?", mails[0].ID).Update("status", models.OutboxSent).Error
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{URL: "https://example.org/more"}, after.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := len(sbMail(t, db, models.MailMaterialsAdded)); n != 2 {
			t.Fatalf("%d materials e-mails, want 2", n)
		}

		// Removing: its teachers only; the file goes with it.
		if _, err := models.DeleteMaterial(t.Context(), db, other, 0, pdf.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("another teacher removed it: %v", err)
		}
		if _, err := models.DeleteMaterial(t.Context(), db, teacher, s.ID+1, pdf.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("removed through another session: %v", err)
		}
		if _, err := models.DeleteMaterial(t.Context(), db, teacher, s.ID, pdf.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := models.ReadMaterialFile(t.Context(), db, pdf.ID, 0, 10); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("the file outlived its material: %v", err)
		}
		if _, err := models.DeleteMaterial(t.Context(), db, teacher, 0, pdf.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("removed twice: %v", err)
		}
		if _, err := models.CancelSession(t.Context(), db, teacher, s.ID, "Ill.", after); err != nil {
			t.Fatal(err)
		}
		if _, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{URL: "https://example.org"}, after); !errors.Is(err, models.ErrSessionCancelled) {
			t.Fatalf("a material on a cancelled session: %v", err)
		}
	})
}

// TestMaterialsSessionLimit: a session's files together stay within
// MaxSessionMaterials.
func TestMaterialsSessionLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher)
		big := pdfOf(models.MaxMaterialFile)
		for range models.MaxSessionMaterials / models.MaxMaterialFile {
			if _, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{Filename: "big.pdf", Data: big}, testkit.T0); err != nil {
				t.Fatal(err)
			}
		}
		_, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{Filename: "small.pdf", Data: pdfOf(10)}, testkit.T0)
		var ve *models.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["file"], "over its limit of 100 MB") {
			t.Fatalf("over the session's limit: %v", err)
		}
		// Links take no room.
		if _, err := models.AddMaterial(t.Context(), db, teacher, s.ID, models.MaterialInput{URL: "https://example.org"}, testkit.T0); err != nil {
			t.Fatal(err)
		}
	})
}
