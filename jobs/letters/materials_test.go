package letters_test

import (
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func TestRenderMaterialsAdded(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		f := newFixture(t, db)
		testkit.Mark(t, db, f.ada, f.session, models.AttendancePresent)
		after := f.session.EndsAt.Add(time.Hour)
		for _, in := range []models.MaterialInput{
			{Filename: "Renal slides.pdf", Data: []byte("%PDF-1.7\n..."), Visible: models.VisibleAttendeesAfter},
			{Title: "Answers", URL: "https://example.org/answers", Visible: models.VisibleAttendeesAfter},
		} {
			if _, err := models.AddMaterial(t.Context(), db, f.teacher, f.session.ID, in, after); err != nil {
				t.Fatal(err)
			}
		}
		// Ada came: one e-mail, with both; Bob did not: none.
		subject, text, _ := f.render(t, models.MailMaterialsAdded, f.ada, after.Add(models.MaterialsMailDelay))
		if subject != "Materials from Renal physiology" {
			t.Errorf("subject %q", subject)
		}
		contains(t, "materials_added", text, "Hello Ada Lovelace", "Dr Jane Teacher and Sam Cohost shared materials from Renal physiology",
			"Renal slides (PDF)", "/materials/", "Answers (Link)", "https://example.org/answers")
		if msgs, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailMaterialsAdded}); len(msgs) != 1 {
			t.Fatalf("%d materials e-mails, want 1", len(msgs))
		}
		// Marked absent before it goes: nothing to tell.
		testkit.Mark(t, db, f.ada, f.session, models.AttendanceAbsent)
		f.skipped(t, models.MailMaterialsAdded, f.ada, after.Add(time.Hour), "sees no materials")
		if strings.Contains(text, "<no value>") {
			t.Fatal(text)
		}
	})
}
