package letters_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rounds/jobs/letters"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// TestRenderDataExportReady: the e-mail of a member's export has its link
// as a button in the HTML part and on a line of its own in the text, says
// until when it works in the society's time, and is not sent once the link
// has expired.
func TestRenderDataExportReady(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		r, err := letters.New(db, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		u := register(t, db, "ada@example.org", "Ada Lovelace", nil)
		if _, err := models.RequestDataExport(t.Context(), db, u, now); err != nil {
			t.Fatal(err)
		}
		set := models.ExportSettings{BaseURL: "https://rounds.example.org", LinkURL: func(s string) string { return "https://rounds.example.org/me/export/" + s }}
		if n, err := models.PrepareDataExports(t.Context(), db, set, now); err != nil || n != 1 {
			t.Fatalf("prepared %d: %v", n, err)
		}
		row := outboxRow(t, db, models.MailDataExportReady, "ada@example.org")
		link := row.DataMap()["link"]
		msg, err := r.Render(context.Background(), &row, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if msg.Subject != "Your Rounds data is ready to download" {
			t.Errorf("subject %q", msg.Subject)
		}
		// 16:00 UTC on 14 October is 17:00 BST; the link works until the
		// next day at the same time.
		for _, want := range []string{"Hello Ada Lovelace,", "\n  " + link + "\n", "The link works once, until 17:00 BST on Wednesday 15 October 2025.",
			"logged in to Rounds as ada@example.org", "https://rounds.example.org/account#data"} {
			if !strings.Contains(msg.Text, want) {
				t.Errorf("text lacks %q:\n%s", want, msg.Text)
			}
		}
		if !strings.Contains(msg.HTML, `<a href="`+link+`"`) || !strings.Contains(msg.HTML, ">Download my data</a>") {
			t.Errorf("no button in the HTML part:\n%s", msg.HTML)
		}
		if strings.Contains(msg.Text, "<no value>") || strings.Contains(msg.Text, "\n\n\n") {
			t.Errorf("untidy body:\n%s", msg.Text)
		}
		if _, err := r.Render(context.Background(), &row, now.Add(models.ExportLinkTTL)); err == nil {
			t.Error("an expired link is sent")
		} else if _, ok := letters.SkipReason(err); !ok {
			t.Errorf("an expired link: %v", err)
		}
	})
}
