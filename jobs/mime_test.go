package jobs_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/internal/mail/mailtest"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// mimePart is one leaf of a message as it travelled: its content type and
// decoded body.
type mimePart struct {
	mediaType, charset, disposition string
	body                            string
}

// mimeTree reads raw with net/mail and mime/multipart only, and returns the
// media type of the whole message and its leaves, depth first, with each
// multipart's type in path.
func mimeTree(t *testing.T, raw []byte) (string, []string, []mimePart) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	var path []string
	var parts []mimePart
	var walk func(ct, enc, disp string, body io.Reader)
	walk = func(ct, enc, disp string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			path = append(path, mt)
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("multipart: %v", err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
			}
		}
		if strings.EqualFold(enc, "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		dt, _, _ := mime.ParseMediaType(disp)
		parts = append(parts, mimePart{mediaType: mt, charset: strings.ToLower(params["charset"]), disposition: dt,
			body: strings.ReplaceAll(string(data), "\r\n", "\n")})
	}
	top, _, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Header.Get("Content-Disposition"), m.Body)
	return top, path, parts
}

// Every e-mail goes as multipart/alternative: the plain text as it was, and
// an HTML part in which what members typed stays text.
func TestEmailsGoAsPlainTextAndHTML(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(sessionStart.Add(-7 * 24 * time.Hour))
		name := `Ada <script>alert("x")</script> & Co`
		ada := testkit.Member(t, db, testkit.Email("ada@example.org"), testkit.Name(name), testkit.Year(3))
		teacher := testkit.Member(t, db, testkit.Email("teacher@example.org"), testkit.Name("Dr Jane Teacher"), testkit.Role(models.RoleTeacher))
		s := testkit.Session(t, db, teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart))
		testkit.Book(t, db, ada, s, models.ModeInPerson, testkit.At(clk.Now()))
		r := newRunner(t, db, reminderConfig(srv.URL()), clk, nil)
		deliver(t, r)
		clk.Set(sessionStart.Add(-12 * time.Hour))
		planReminders(t, r)
		deliver(t, r)

		got := map[string]mailtest.Received{}
		for _, m := range srv.Messages() {
			got[m.Header.Get("X-Rounds-Kind")] = m
		}
		rows := map[string]models.OutboxMessage{}
		for _, row := range outbox(t, db, models.OutboxFilter{To: "ada@example.org"}) {
			rows[string(row.Kind)] = row
		}

		// The reminder: two parts and nothing else.
		reminder := got["session_reminder"]
		top, path, parts := mimeTree(t, reminder.Raw)
		if top != "multipart/alternative" || len(path) != 1 || len(parts) != 2 {
			t.Fatalf("reminder is %s %v with %d parts, want multipart/alternative with two", top, path, len(parts))
		}
		plain, html := parts[0], parts[1]
		if testing.Verbose() {
			t.Log(html.body)
		}
		if plain.mediaType != "text/plain" || plain.charset != "utf-8" || html.mediaType != "text/html" || html.charset != "utf-8" {
			t.Fatalf("parts %s;%s and %s;%s, want text/plain then text/html, both UTF-8", plain.mediaType, plain.charset, html.mediaType, html.charset)
		}
		// The plain part is the letter's text as before, word for word.
		if plain.body != rows["session_reminder"].BodyText || !strings.HasPrefix(plain.body, "Hello "+name+",\n\nA reminder of your seat, in the room, at:\n") {
			t.Errorf("plain part:\n%s\nstored text:\n%s", plain.body, rows["session_reminder"].BodyText)
		}
		for _, want := range []string{`<html lang="en-GB">`, "<title>Reminder: Renal physiology, Tuesday 3 November 2026 at 18:00 GMT</title>",
			`name="viewport"`, ">Rounds</p>", "Hello Ada &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co,",
			`<strong>When:</strong> Tuesday 3 November 2026, 18:00–19:30 GMT`,
			`href="https://rounds.example.org/sessions/` + itoa(s.ID) + `"`, ">Open the session page</a>", ">Stop e-mails like this one</a>"} {
			if !strings.Contains(html.body, want) {
				t.Errorf("HTML part lacks %q:\n%s", want, html.body)
			}
		}
		for _, never := range []string{"<script", "<img", "src=", "<link", "@import", "url("} {
			if strings.Contains(html.body, never) {
				t.Errorf("HTML part has %q", never)
			}
		}
		unsub := reminder.Header.Get("List-Unsubscribe")
		if !strings.HasPrefix(unsub, "<https://rounds.example.org/unsubscribe/"+itoa(ada.ID)+".session_reminders.") || !strings.HasSuffix(unsub, ">") ||
			reminder.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, reminder.Header.Get("List-Unsubscribe-Post"))
		}
		if !strings.Contains(html.body, `href="`+strings.Trim(unsub, "<>")+`"`) {
			t.Errorf("the HTML part does not link to %s", unsub)
		}

		// A booking confirmation: the same two parts beside its invitation,
		// and no List-Unsubscribe, as it always goes.
		booked := got["booking_confirmed"]
		top, path, parts = mimeTree(t, booked.Raw)
		if top != "multipart/mixed" || strings.Join(path, " ") != "multipart/mixed multipart/alternative" || len(parts) != 3 ||
			parts[0].mediaType != "text/plain" || parts[1].mediaType != "text/html" || parts[2].mediaType != "text/calendar" {
			t.Fatalf("booking confirmation is %v with %+v", path, parts)
		}
		if parts[0].body != rows["booking_confirmed"].BodyText {
			t.Errorf("plain part of the confirmation differs from its text")
		}
		if booked.Header.Get("List-Unsubscribe") != "" {
			t.Errorf("a booking confirmation carries List-Unsubscribe %q", booked.Header.Get("List-Unsubscribe"))
		}
	})
}

// A member who turns reminders off after one was queued does not get it.
func TestTurnedOffReminderIsSkipped(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(sessionStart.Add(-7 * 24 * time.Hour))
		c := newSociety(t, db, "Ada", "Bob")
		s := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart))
		testkit.Book(t, db, c.members["Ada"], s, models.ModeInPerson, testkit.At(clk.Now()))
		testkit.Book(t, db, c.members["Bob"], s, models.ModeInPerson, testkit.At(clk.Now()))
		r := newRunner(t, db, reminderConfig(srv.URL()), clk, nil)
		clk.Set(sessionStart.Add(-12 * time.Hour))
		planReminders(t, r)
		if err := models.TurnOffMail(t.Context(), db, c.members["Ada"].ID, models.TopicSessionReminders, clk.Now()); err != nil {
			t.Fatal(err)
		}
		deliver(t, r)
		if got := keys(received(srv, models.MailSessionReminder)); len(got) != 1 || got[0] != "bob@example.org" {
			t.Fatalf("reminders went to %v, want Bob only", got)
		}
		rows := outbox(t, db, models.OutboxFilter{Kind: models.MailSessionReminder, To: "ada@example.org"})
		if len(rows) != 1 || rows[0].Status != models.OutboxSkipped {
			t.Fatalf("Ada's reminder: %+v, want skipped", rows)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
