package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rounds/internal/mail"
	"rounds/internal/mail/mailtest"
)

func sample() mail.Message {
	return mail.Message{
		MessageID: "outbox-7@rounds.example.org",
		From:      "Rounds <no-reply@rounds.example.org>",
		To:        "ada@example.org",
		ToName:    "Ada Lovelace",
		Subject:   "Cardiology teaching — you are booked",
		Text:      "Hello Ada,\n\nSee you on Tuesday in Lecture Theatre 2 (café next door).\n",
		Date:      time.Date(2025, 10, 14, 17, 30, 0, 0, time.UTC),
		Headers:   map[string]string{mail.HeaderKind: "booking_confirmed", "Auto-Submitted": "auto-generated"},
	}
}

func TestSMTPSend(t *testing.T) {
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
	tests := []struct {
		name   string
		opts   []mailtest.Option
		attach bool
	}{
		{"plain", nil, false},
		{"plain with attachment", nil, true},
		{"starttls with auth", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithAuth("rounds", "s3cret pass")}, true},
		{"plain with auth", []mailtest.Option{mailtest.WithAuth("rounds", "s3cret")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opts...)
			var opts []mail.SMTPOption
			if c := srv.ClientTLSConfig(); c != nil {
				opts = append(opts, mail.WithTLSConfig(c))
			}
			s, err := mail.NewSMTPFromURL(srv.URL(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			m := sample()
			if tt.attach {
				m.Attachments = []mail.Attachment{{Name: "session.ics", ContentType: "text/calendar; method=REQUEST; charset=utf-8", Data: []byte(ics)}}
			}
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if len(r.To) != 1 || r.To[0] != "ada@example.org" {
				t.Errorf("RCPT TO = %v", r.To)
			}
			if r.From != "no-reply@rounds.example.org" {
				t.Errorf("MAIL FROM = %q", r.From)
			}
			checks := map[string]string{
				"Message-Id":     "<outbox-7@rounds.example.org>",
				"X-Rounds-Kind":  "booking_confirmed",
				"Auto-Submitted": "auto-generated",
			}
			for k, want := range checks {
				if got := r.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if subj, err := decodeHeader(r.Header.Get("Subject")); err != nil || subj != m.Subject {
				t.Errorf("Subject = %q (%v), want %q", subj, err, m.Subject)
			}
			if !strings.Contains(r.Header.Get("To"), "ada@example.org") {
				t.Errorf("To = %q", r.Header.Get("To"))
			}
			if r.Text != m.Text {
				t.Errorf("text = %q, want %q", r.Text, m.Text)
			}
			if tt.attach {
				if len(r.Attachments) != 1 || r.Attachments[0].Name != "session.ics" || string(r.Attachments[0].Data) != ics ||
					!strings.HasPrefix(r.Attachments[0].ContentType, "text/calendar") {
					t.Errorf("attachments = %+v", r.Attachments)
				}
			} else if len(r.Attachments) != 0 {
				t.Errorf("unexpected attachments %+v", r.Attachments)
			}
		})
	}
}

func TestSMTPErrors(t *testing.T) {
	t.Run("refused at data", func(t *testing.T) {
		srv := mailtest.NewServer(t)
		srv.FailData(1)
		s, err := mail.NewSMTPFromURL(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), sample())
		if err == nil || !strings.Contains(err.Error(), "451") {
			t.Fatalf("send = %v, want a 451 error", err)
		}
		if err := s.Send(context.Background(), sample()); err != nil {
			t.Fatalf("second send: %v", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		srv := mailtest.NewServer(t, mailtest.WithAuth("rounds", "right"))
		s, err := mail.NewSMTPFromURL(strings.Replace(srv.URL(), ":right@", ":wrong@", 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(context.Background(), sample()); err == nil {
			t.Fatal("send succeeded with a wrong password")
		}
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("server received %d messages", n)
		}
	})
	t.Run("starttls required but not offered", func(t *testing.T) {
		srv := mailtest.NewServer(t)
		s, err := mail.NewSMTPFromURL(strings.Replace(srv.URL(), "tls=none", "tls=starttls", 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(context.Background(), sample()); err == nil {
			t.Fatal("send succeeded without STARTTLS")
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		s, err := mail.NewSMTPFromURL("smtp://127.0.0.1:1?tls=none")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(context.Background(), sample()); err == nil {
			t.Fatal("send succeeded with no server")
		}
	})
	t.Run("bad url", func(t *testing.T) {
		if _, err := mail.NewSMTPFromURL("http://example.org"); err == nil {
			t.Fatal("accepted an http URL")
		}
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*mail.Message)
		ok     bool
	}{
		{"sample", func(*mail.Message) {}, true},
		{"no recipient", func(m *mail.Message) { m.To = "" }, false},
		{"bad sender", func(m *mail.Message) { m.From = "not an address" }, false},
		{"no subject", func(m *mail.Message) { m.Subject = " " }, false},
		{"subject with newline", func(m *mail.Message) { m.Subject = "a\r\nBcc: eve@example.org" }, false},
		{"header injection", func(m *mail.Message) { m.Headers["X-Note"] = "a\nBcc: eve@example.org" }, false},
		{"no kind", func(m *mail.Message) { delete(m.Headers, mail.HeaderKind) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sample()
			tt.change(&m)
			if err := m.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
