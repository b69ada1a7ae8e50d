// Package mailtest gives tests somewhere to send e-mail: Server, a real SMTP
// server on 127.0.0.1 that keeps what it receives (and can be told to
// refuse), and Recorder, an in-memory mail.Sender.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"rounds/internal/mail"
)

// Received is one message the server accepted.
type Received struct {
	From   string   // envelope sender (MAIL FROM)
	To     []string // envelope recipients (RCPT TO)
	Raw    []byte
	Header netmail.Header
	// Text is the decoded text/plain body, and HTML the decoded text/html
	// alternative (empty without one).
	Text        string
	HTML        string
	Attachments []mail.Attachment
}

// Server is an SMTP server for tests. It is safe for concurrent use.
type Server struct {
	Addr string // host:port

	user, pass string
	tlsConf    *tls.Config // server side, for STARTTLS
	clientTLS  *tls.Config // trusts the server's certificate
	delay      time.Duration

	mu       sync.Mutex
	received []Received
	failData int
	refused  int
}

// Option adjusts a Server.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN with this user and password.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// WithSTARTTLS makes the server offer STARTTLS with a self-signed
// certificate; ClientTLSConfig trusts it.
func WithSTARTTLS() Option {
	return func(s *Server) {
		cert, pool, err := selfSigned()
		if err != nil {
			panic(fmt.Errorf("mailtest: certificate: %w", err))
		}
		s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.clientTLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
}

// WithDelay makes the server take d over each message, so that concurrent
// senders overlap.
func WithDelay(d time.Duration) Option {
	return func(s *Server) { s.delay = d }
}

// NewServer starts a server on a random port of 127.0.0.1; it stops when the
// test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{}
	for _, o := range opts {
		o(s)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = true
	srv.TLSConfig = s.tlsConf
	// Connection errors come after a test has ended as often as not, when
	// t.Log may no longer be called.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return s
}

// URL returns a ROUNDS_SMTP_URL for the server.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr, RawQuery: "tls=none"}
	if s.tlsConf != nil {
		u.RawQuery = "tls=starttls"
	}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u.String()
}

// ClientTLSConfig returns a TLS configuration that trusts the server (nil
// without WithSTARTTLS).
func (s *Server) ClientTLSConfig() *tls.Config { return s.clientTLS }

// FailData makes the server refuse the next n messages, after their
// content was sent, with "451 4.3.0 try again later".
func (s *Server) FailData(n int) {
	s.mu.Lock()
	s.failData = n
	s.mu.Unlock()
}

// Messages returns what the server accepted, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Refused counts the messages refused because of FailData.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

type session struct {
	srv    *Server
	authed bool
	from   string
	to     []string
}

func (x *session) AuthMechanisms() []string {
	if x.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || x.srv.user == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.srv.user || pass != x.srv.pass {
			return smtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.srv.user != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if x.srv.delay > 0 {
		time.Sleep(x.srv.delay)
	}
	s := x.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failData > 0 {
		s.failData--
		s.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	rec, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	rec.From, rec.To = x.from, append([]string(nil), x.to...)
	s.received = append(s.received, rec)
	return nil
}

func (x *session) Reset() {
	x.from, x.to = "", nil
}

func (x *session) Logout() error { return nil }

// Parse reads a message as it travels over SMTP: its header, its decoded
// plain-text body and its attachments.
func Parse(raw []byte) (Received, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, fmt.Errorf("mailtest: parse: %w", err)
	}
	rec := Received{Raw: raw, Header: m.Header}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"),
		m.Header.Get("Content-Disposition"), m.Body, &rec)
	return rec, err
}

func walk(contentType, encoding, disposition string, body io.Reader, rec *Received) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("mailtest: content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("mailtest: multipart: %w", err)
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
				p.Header.Get("Content-Disposition"), p, rec); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: body})
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("mailtest: body: %w", err)
	}
	dispType, dispParams, _ := mime.ParseMediaType(disposition)
	if mediaType == "text/plain" && dispType != "attachment" && rec.Text == "" {
		rec.Text = strings.ReplaceAll(string(data), "\r\n", "\n")
		return nil
	}
	if mediaType == "text/html" && dispType != "attachment" && rec.HTML == "" {
		rec.HTML = strings.ReplaceAll(string(data), "\r\n", "\n")
		return nil
	}
	name := dispParams["filename"]
	if name == "" {
		name = params["name"]
	}
	rec.Attachments = append(rec.Attachments, mail.Attachment{Name: name, ContentType: contentType, Data: data})
	return nil
}

type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// Recorder is a mail.Sender that keeps what it is given. Set Err to make
// Send fail. It is safe for concurrent use.
type Recorder struct {
	// Err, when set, decides whether a message fails; it is called with
	// each message before it is kept.
	Err func(mail.Message) error

	mu   sync.Mutex
	sent []mail.Message
}

// Send keeps m, unless Err says otherwise.
func (r *Recorder) Send(_ context.Context, m mail.Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if r.Err != nil {
		if err := r.Err(m); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.sent = append(r.sent, m)
	r.mu.Unlock()
	return nil
}

// Messages returns what was sent, in order.
func (r *Recorder) Messages() []mail.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]mail.Message(nil), r.sent...)
}
