package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"sort"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultTimeout bounds one whole SMTP conversation: connecting, greeting,
// TLS, authentication and the transfer of one message.
const DefaultTimeout = 30 * time.Second

// SMTP sends each message over a new connection to an SMTP server. It is
// safe for concurrent use.
type SMTP struct {
	server  Server
	tlsConf *tls.Config
}

// SMTPOption adjusts an SMTP sender.
type SMTPOption func(*SMTP)

// WithTLSConfig sets the TLS configuration for STARTTLS and implicit TLS,
// for a server with a private certificate authority (or a test server).
func WithTLSConfig(c *tls.Config) SMTPOption {
	return func(s *SMTP) { s.tlsConf = c }
}

// NewSMTP returns a sender for the server s describes, as parsed by
// ParseURL:
//
//   - tls=none: plain text throughout. With a user name, Rounds
//     authenticates even without encryption, which only makes sense with a
//     relay on the same machine or network.
//   - tls=starttls: the connection must be upgraded with STARTTLS before
//     anything else is sent; a server that does not offer it is an error.
//   - tls=tls: TLS from the first byte (usually port 465).
//
// With a user name, the strongest mechanism the server offers is used
// (SCRAM, CRAM-MD5, PLAIN or LOGIN over TLS).
func NewSMTP(s Server, opts ...SMTPOption) (*SMTP, error) {
	out := &SMTP{server: s}
	for _, o := range opts {
		o(out)
	}
	// Build one client now so that a bad setting is reported at start-up
	// rather than on the first e-mail.
	if _, err := out.client(); err != nil {
		return nil, err
	}
	return out, nil
}

// NewSMTPFromURL parses a ROUNDS_SMTP_URL and returns its sender.
func NewSMTPFromURL(raw string, opts ...SMTPOption) (*SMTP, error) {
	s, err := ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp url: %w", err)
	}
	return NewSMTP(s, opts...)
}

// Server returns where the sender delivers, without the password, for logs.
func (s *SMTP) Server() string {
	return fmt.Sprintf("%s:%d (tls=%s, auth=%t)", s.server.Host, s.server.Port, s.server.TLS, s.server.Username != "")
}

func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.server.Port),
		gomail.WithTimeout(DefaultTimeout),
	}
	if s.tlsConf != nil {
		conf := s.tlsConf.Clone()
		if conf.ServerName == "" {
			conf.ServerName = s.server.Host
		}
		opts = append(opts, gomail.WithTLSConfig(conf))
	}
	switch s.server.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("mail: smtp tls=%q must be none, starttls or tls", s.server.TLS)
	}
	if s.server.Username != "" {
		opts = append(opts, gomail.WithUsername(s.server.Username), gomail.WithPassword(s.server.Password))
		if s.server.TLS == "none" {
			// The operator chose an unencrypted connection: prefer
			// mechanisms that do not reveal the password, and fall back to
			// PLAIN or LOGIN rather than fail.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256,
				gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	c, err := gomail.NewClient(s.server.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp client: %w", err)
	}
	return c, nil
}

// Send delivers m over one SMTP conversation.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := Build(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: smtp %s:%d: %w", s.server.Host, s.server.Port, err)
	}
	return nil
}

// Build turns m into a go-mail message: plain-text UTF-8 body (and its HTML
// alternative when there is one), attachments,
// the stable Message-ID, and the extra headers.
func Build(m Message) (*gomail.Msg, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, fmt.Errorf("mail: to: %w", err)
	}
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	}
	if !m.Date.IsZero() {
		msg.SetDateWithValue(m.Date)
	}
	msg.SetUserAgent("Rounds")
	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		msg.SetGenHeader(gomail.Header(name), m.Headers[name])
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("mail: attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}
