// Package mail owns how an e-mail leaves Rounds: the Message a letter is
// rendered into, the Sender interface the job runner delivers through, and
// an SMTP Sender built from ROUNDS_SMTP_URL. It knows nothing of the outbox
// or of templates; see jobs/letters for those.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// HeaderKind names the header that carries an e-mail's kind (welcome,
// password_reset, …), so that receivers and tests can sort messages.
const HeaderKind = "X-Rounds-Kind"

// Message is one e-mail ready to go.
type Message struct {
	// MessageID is the Message-ID without its angle brackets, such as
	// "outbox-42@rounds.example.org". It stays the same on every attempt, so
	// a receiver can drop a duplicate.
	MessageID string
	From      string // "Name <address>" or a bare address
	To        string
	ToName    string
	Subject   string
	Text      string // the plain-text body
	Date      time.Time
	// Headers are extra header fields; HeaderKind is always among them.
	Headers     map[string]string
	Attachments []Attachment

	// HTML, when set, is the same letter as an HTML document: the message
	// goes as multipart/alternative, plain text first.
	HTML string
}

// Attachment is a file sent along with a message, such as a text/calendar
// invitation.
type Attachment struct {
	Name        string
	ContentType string // e.g. "text/calendar; method=REQUEST; charset=utf-8"
	Data        []byte
}

// Kind returns the message's X-Rounds-Kind header.
func (m Message) Kind() string { return m.Headers[HeaderKind] }

// Validate reports what would stop the message from being sent.
func (m Message) Validate() error {
	var errs []error
	if _, err := mail.ParseAddress(m.From); err != nil {
		errs = append(errs, fmt.Errorf("from %q: %w", m.From, err))
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		errs = append(errs, fmt.Errorf("to %q: %w", m.To, err))
	}
	if strings.TrimSpace(m.Subject) == "" {
		errs = append(errs, errors.New("no subject"))
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		errs = append(errs, errors.New("subject spans several lines"))
	}
	for name, v := range m.Headers {
		if name == "" || strings.ContainsAny(name, ": \t\r\n") || strings.ContainsAny(v, "\r\n") {
			errs = append(errs, fmt.Errorf("header %q is malformed", name))
		}
	}
	if m.Headers[HeaderKind] == "" {
		errs = append(errs, fmt.Errorf("no %s header", HeaderKind))
	}
	if len(errs) > 0 {
		return fmt.Errorf("mail: invalid message: %w", errors.Join(errs...))
	}
	return nil
}

// Sender delivers messages. Send returns once the receiving server has
// accepted the message, or with the reason it did not.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SenderFunc lets an ordinary function be a Sender.
type SenderFunc func(ctx context.Context, m Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }
