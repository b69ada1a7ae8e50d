package jobs_test

import (
	"strings"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/internal/mail/mailtest"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// TestPrepareExportsJob: the job prepares a member's export once, however
// often it runs, and the outbox job sends its e-mail with a link to the
// site's /me/export/ address.
func TestPrepareExportsJob(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(start)
		r := newRunner(t, db, testConfig(srv.URL()), clk, nil)
		u := register(t, db, "ada@example.org", "Ada Lovelace", start)
		if _, err := models.RequestDataExport(t.Context(), db, u, start); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			clk.Advance(time.Minute)
			if err := r.PrepareExports(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		rows := outbox(t, db, models.OutboxFilter{Kind: models.MailDataExportReady})
		if len(rows) != 1 || !strings.HasPrefix(rows[0].DataMap()["link"], "https://rounds.example.org/me/export/") {
			t.Fatalf("export e-mails: %+v", rows)
		}
		deliver(t, r)
		sent := srv.Messages()
		link := rows[0].DataMap()["link"]
		if len(sent) != 2 { // welcome, then the export
			t.Fatalf("%d e-mails sent", len(sent))
		}
		if m := sent[1]; !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `href="`+link+`"`) || !strings.Contains(m.HTML, "Download my data") {
			t.Errorf("the e-mail sent:\n%s\n%s", m.Text, m.HTML)
		}
	})
}
