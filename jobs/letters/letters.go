// Package letters owns what Rounds' e-mails say: it renders an outbox row
// (models.OutboxMessage) into a mail.Message from the text template
// templates/mail/<kind>.txt, parsed once at start-up.
//
// # Templates
//
// A template's first line is "Subject: …", then a blank line, then the
// plain-text body. Both are text/template and see a *Letter: .User (the
// recipient's account), .Data (the outbox row's data, e.g. {{.Data.link}}),
// .BaseURL, .Society, .To, .Now, and .Vars, which a kind's hook fills. A
// missing .Data or .Vars key is an error, not "<no value>" in someone's
// inbox. Functions: date, datetime, clock and tzname show a time in the
// society's time zone; url joins the base URL and a path (url "/sessions/"
// 42); duration turns "1h0m0s" into "1 hour". *.tmpl files beside the
// templates hold shared {{define}} blocks, such as "footer".
//
// # Adding a kind
//
// A kind that needs only the user and the row's data needs only its
// template: add templates/mail/<kind>.txt. A kind that needs more — the
// teaching session, an .ics invitation, a check that the message is still
// worth sending — also gets an entry in the kinds table in kinds.go:
//
//	models.MailSessionReminder: {Prepare: prepareSessionReminder},
//
//	func prepareSessionReminder(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
//		if m.SessionID == nil {
//			return Skip("no session")
//		}
//		s, err := models.SessionByID(ctx, db, *m.SessionID)
//		if errors.Is(err, models.ErrNotFound) {
//			return Skip("the session no longer exists")
//		}
//		if err != nil {
//			return err
//		}
//		if s.Status == models.SessionCancelled || !l.Now.Before(s.StartsAt) {
//			return Skip("the session was cancelled or has started")
//		}
//		l.Vars["Session"] = s // {{.Vars.Session.Title}}, {{datetime .Vars.Session.StartsAt}}
//		l.Attach("session.ics", "text/calendar; method=REQUEST; charset=utf-8", invitation(s))
//		return nil
//	}
//
// Returning Skip(reason) marks the row skipped instead of sending it; any
// other error counts as a failed attempt and is retried. Other templates can
// be supplied with WithTemplates.
package letters

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
	"text/template"
	"time"

	"rounds/internal/config"
	"rounds/internal/mail"
	"rounds/models"
	"rounds/models/store"
	"rounds/templates"
)

// DefaultSociety is the name e-mails go out under until a society can name
// itself.
const DefaultSociety = "Rounds"

// ErrUnknownKind is returned for an outbox row whose kind has no template.
var ErrUnknownKind = errors.New("unknown e-mail kind")

// Kind is what a kind of e-mail needs beyond its template.
type Kind struct {
	// WithoutAccount lets the kind go to an address that has no account
	// (an invitation, say). Otherwise a message whose account has gone is
	// skipped.
	WithoutAccount bool
	// Prepare loads what the template needs into l.Vars, attaches files,
	// or returns Skip(reason) when the message is no longer worth sending.
	Prepare func(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error
}

// Letter is one e-mail being rendered: what its template sees, and what a
// kind's Prepare hook may add.
type Letter struct {
	Kind     string
	User     *models.User // nil only for kinds sent WithoutAccount
	To       string       // the recipient's address
	ToName   string
	Data     map[string]string
	BaseURL  string
	Society  string
	Location *time.Location
	Now      time.Time // when it is rendered, in the society's time zone
	Queued   time.Time // when the change that caused it happened, likewise
	// Vars holds what a kind's hook loaded, e.g. "Session".
	Vars map[string]any
	// Attachments and Headers go out with the message; templates ignore them.
	Attachments []mail.Attachment
	Headers     map[string]string

	button *Button // see Button
}

// Attach adds a file to the letter.
func (l *Letter) Attach(name, contentType string, data []byte) {
	l.Attachments = append(l.Attachments, mail.Attachment{Name: name, ContentType: contentType, Data: data})
}

// URL joins the base URL and a path.
func (l *Letter) URL(p string) string { return l.BaseURL + "/" + strings.TrimLeft(p, "/") }

// SkipError says a message is no longer worth sending, and why.
type SkipError struct {
	Reason string
}

func (e *SkipError) Error() string { return "not worth sending: " + e.Reason }

// Skip returns the error a Prepare hook gives for a message no longer worth
// sending (the session has passed, the link has expired).
func Skip(reason string) error { return &SkipError{Reason: reason} }

// SkipReason tells whether err says to skip a message, and why.
func SkipReason(err error) (string, bool) {
	var s *SkipError
	if errors.As(err, &s) {
		return s.Reason, true
	}
	return "", false
}

// Renderer renders outbox rows. It is safe for concurrent use.
type Renderer struct {
	db      *store.Store
	baseURL string
	host    string
	from    string
	society string
	loc     *time.Location
	letters map[string]letterTemplate
	kinds   map[string]Kind
	layout  *htmlLayout
	// unsubscribeKey signs the one-click links that turn an optional kind
	// of e-mail off (see models.UnsubscribeToken).
	unsubscribeKey []byte
}

type letterTemplate struct {
	subject, body *template.Template
}

// Option adjusts a Renderer.
type Option func(*options)

type options struct {
	templates fs.FS
	kinds     map[string]Kind
	added     map[string]bool // by withKind
	society   string
}

// WithTemplates reads the <kind>.txt files from fsys instead of the
// embedded templates/mail folder.
func WithTemplates(fsys fs.FS) Option { return func(o *options) { o.templates = fsys } }

// withKind adds or replaces what a kind needs beyond its template. The
// kinds table is where Rounds' own kinds go; this is for the package's tests.
func withKind(kind models.MailKind, k Kind) Option {
	return func(o *options) { o.kinds[string(kind)], o.added[string(kind)] = k, true }
}

// WithSociety sets the name e-mails go out under (DefaultSociety otherwise).
func WithSociety(name string) Option { return func(o *options) { o.society = name } }

// New parses every e-mail template. A broken template, or a kind with a hook
// but no template, is an error, so that Rounds does not start with it.
func New(db *store.Store, cfg config.Config, opts ...Option) (*Renderer, error) {
	o := options{kinds: map[string]Kind{}, added: map[string]bool{}, society: DefaultSociety}
	for kind, k := range kinds {
		o.kinds[string(kind)] = k
	}
	for _, opt := range opts {
		opt(&o)
	}
	embedded := o.templates == nil
	if embedded {
		sub, err := fs.Sub(templates.FS, "mail")
		if err != nil {
			return nil, fmt.Errorf("letters: %w", err)
		}
		o.templates = sub
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	host := "localhost"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	r := &Renderer{
		db: db, baseURL: strings.TrimRight(cfg.BaseURL, "/"), host: host, from: cfg.MailFrom,
		society: o.society, loc: loc, kinds: o.kinds,
	}
	var err error
	if r.letters, err = parse(o.templates, funcs(loc, r.baseURL)); err != nil {
		return nil, err
	}
	if r.layout, err = parseLayout(o.templates, embedded); err != nil {
		return nil, err
	}
	key, err := models.EnsureSecret(context.Background(), db, "unsubscribe_key")
	if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	r.unsubscribeKey = []byte(key)
	for kind := range r.kinds {
		if _, ok := r.letters[kind]; !ok {
			if !embedded && !o.added[kind] {
				// Other templates (a test's) need not cover every kind.
				delete(r.kinds, kind)
				continue
			}
			return nil, fmt.Errorf("letters: kind %q has a hook but no template %s.txt", kind, kind)
		}
	}
	return r, nil
}

// parse reads the <kind>.txt templates and the *.tmpl files of shared
// blocks.
func parse(fsys fs.FS, fm template.FuncMap) (map[string]letterTemplate, error) {
	shared, err := fs.Glob(fsys, "*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	partials := make([]string, 0, len(shared))
	for _, name := range shared {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("letters: %w", err)
		}
		partials = append(partials, string(b))
	}
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	out := map[string]letterTemplate{}
	for _, name := range names {
		kind := strings.TrimSuffix(path.Base(name), ".txt")
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("letters: %w", err)
		}
		text := strings.ReplaceAll(string(b), "\r\n", "\n")
		first, body, ok := strings.Cut(text, "\n")
		subject, hasSubject := strings.CutPrefix(first, "Subject:")
		if !hasSubject || !ok || !strings.HasPrefix(body, "\n") {
			return nil, fmt.Errorf("letters: %s must start with a \"Subject: …\" line and a blank line", name)
		}
		body = strings.TrimPrefix(body, "\n")
		lt := letterTemplate{
			subject: template.New(kind + ".subject").Funcs(fm).Option("missingkey=error"),
			body:    template.New("_partials").Funcs(fm).Option("missingkey=error"),
		}
		if _, err := lt.subject.Parse(strings.TrimSpace(subject)); err != nil {
			return nil, fmt.Errorf("letters: %s: subject: %w", name, err)
		}
		for i, p := range partials {
			if _, err := lt.body.New(shared[i]).Parse(p); err != nil {
				return nil, fmt.Errorf("letters: %s: %w", shared[i], err)
			}
		}
		if _, err := lt.body.New(kind).Parse(body); err != nil {
			return nil, fmt.Errorf("letters: %s: %w", name, err)
		}
		out[kind] = lt
	}
	return out, nil
}

func funcs(loc *time.Location, baseURL string) template.FuncMap {
	in := func(t time.Time) time.Time { return t.In(loc) }
	return template.FuncMap{
		"datetime": func(t time.Time) string { return in(t).Format("Monday 2 January 2006, 15:04") },
		"date":     func(t time.Time) string { return in(t).Format("Monday 2 January 2006") },
		"clock":    func(t time.Time) string { return in(t).Format("15:04") },
		"tzname":   func(t time.Time) string { return in(t).Format("MST") },
		"url": func(parts ...any) string {
			p := fmt.Sprint(parts...)
			return baseURL + "/" + strings.TrimLeft(p, "/")
		},
		"duration": humanDuration,
	}
}

// humanDuration turns a Go duration ("1h0m0s", or a time.Duration) into
// words ("1 hour", "1 hour 30 minutes").
func humanDuration(v any) string {
	var d time.Duration
	switch x := v.(type) {
	case time.Duration:
		d = x
	case string:
		var err error
		if d, err = time.ParseDuration(x); err != nil {
			return x
		}
	default:
		return fmt.Sprint(v)
	}
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	if d < time.Minute {
		return unit(int64(d/time.Second), "second")
	}
	days, rest := d/(24*time.Hour), d%(24*time.Hour)
	hours, rest := rest/time.Hour, rest%time.Hour
	minutes := rest / time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, unit(int64(days), "day"))
	}
	if hours > 0 {
		parts = append(parts, unit(int64(hours), "hour"))
	}
	if minutes > 0 {
		parts = append(parts, unit(int64(minutes), "minute"))
	}
	return strings.Join(parts, " ")
}

// Kinds lists the kinds there is a template for, sorted.
func (r *Renderer) Kinds() []string {
	out := make([]string, 0, len(r.letters))
	for k := range r.letters {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// MessageID is the Message-ID of an outbox row, without angle brackets. It
// is the same on every attempt, so a receiver can drop a duplicate.
func (r *Renderer) MessageID(id int64) string { return fmt.Sprintf("outbox-%d@%s", id, r.host) }

// Render turns an outbox row into the e-mail to send at now. It returns an
// error wrapping ErrUnknownKind for a kind without a template, and a
// *SkipError (see SkipReason) when the message is no longer worth sending.
func (r *Renderer) Render(ctx context.Context, m *models.OutboxMessage, now time.Time) (mail.Message, error) {
	lt, ok := r.letters[string(m.Kind)]
	if !ok {
		return mail.Message{}, fmt.Errorf("letters: %w %q", ErrUnknownKind, m.Kind)
	}
	k := r.kinds[string(m.Kind)]
	db := r.db
	l := &Letter{
		Kind: string(m.Kind), To: m.ToAddr, ToName: m.ToName, Data: m.DataMap(),
		BaseURL: r.baseURL, Society: r.society, Location: r.loc,
		Now: now.In(r.loc), Queued: m.CreatedAt.In(r.loc),
		Vars: map[string]any{}, Headers: map[string]string{},
	}
	if m.UserID != nil {
		u, err := models.UserByID(ctx, db, *m.UserID)
		switch {
		case err == nil:
			l.User = &u
			if l.ToName == "" {
				l.ToName = u.Name
			}
		case errors.Is(err, models.ErrNotFound):
		default:
			return mail.Message{}, fmt.Errorf("letters: %s: user %d: %w", m.Kind, *m.UserID, err)
		}
	}
	if l.User == nil && !k.WithoutAccount {
		return mail.Message{}, Skip("the account no longer exists")
	}
	if models.ErasedAddress(m.ToAddr) || (l.User != nil && models.ErasedAddress(l.User.Email)) {
		return mail.Message{}, Skip("the account was erased")
	}
	unsubscribe, err := r.unsubscribe(ctx, m.Kind, l)
	if err != nil {
		return mail.Message{}, err
	}
	if k.Prepare != nil {
		if err := k.Prepare(ctx, db, m, l); err != nil {
			if _, skip := SkipReason(err); skip {
				return mail.Message{}, err
			}
			return mail.Message{}, fmt.Errorf("letters: %s: %w", m.Kind, err)
		}
	}
	var subject, body strings.Builder
	if err := lt.subject.Execute(&subject, l); err != nil {
		return mail.Message{}, fmt.Errorf("letters: %s: subject: %w", m.Kind, err)
	}
	if err := lt.body.ExecuteTemplate(&body, string(m.Kind), l); err != nil {
		return mail.Message{}, fmt.Errorf("letters: %s: %w", m.Kind, err)
	}
	headers := map[string]string{
		// RFC 3834: tells autoresponders (holiday replies) not to answer.
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
	}
	for name, v := range l.Headers {
		headers[name] = v
	}
	headers[mail.HeaderKind] = string(m.Kind)
	if unsubscribe != nil {
		// RFC 2369 and RFC 8058: mail programs offer an "unsubscribe"
		// button that posts to the link.
		headers["List-Unsubscribe"] = "<" + unsubscribe.URL + ">"
		headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	subjectLine := strings.Join(strings.Fields(subject.String()), " ")
	text := tidy(body.String())
	html, err := r.layout.render(subjectLine, r.society, text, l.button, unsubscribe)
	if err != nil {
		return mail.Message{}, fmt.Errorf("letters: %s: %w", m.Kind, err)
	}
	msg := mail.Message{
		MessageID:   r.MessageID(m.ID),
		From:        r.from,
		To:          m.ToAddr,
		ToName:      l.ToName,
		Subject:     subjectLine,
		Text:        text,
		HTML:        html,
		Date:        now,
		Headers:     headers,
		Attachments: l.Attachments,
	}
	if err := msg.Validate(); err != nil {
		return mail.Message{}, fmt.Errorf("letters: %s: %w", m.Kind, err)
	}
	return msg, nil
}

// unsubscribe checks that the member still wants an optional kind of
// e-mail, and returns the one-click link that turns it off; nil for the
// kinds that always go.
func (r *Renderer) unsubscribe(ctx context.Context, kind models.MailKind, l *Letter) (*htmlLink, error) {
	topic, optional := models.MailTopicOf(kind)
	if !optional || l.User == nil {
		return nil, nil
	}
	wants, err := models.WantsMail(ctx, r.db, l.User.ID, kind)
	if err != nil {
		return nil, fmt.Errorf("letters: %s: %w", kind, err)
	}
	if !wants {
		return nil, Skip("the member has turned these e-mails off")
	}
	return &htmlLink{Label: "Stop e-mails like this one", URL: l.URL("/unsubscribe/" + models.UnsubscribeToken(r.unsubscribeKey, l.User.ID, topic))}, nil
}

// tidy removes trailing spaces (except in a "-- " signature line), runs of
// more than one blank line left by template actions, and ends the text with
// one newline.
func tidy(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, line := range lines {
		if line != "-- " {
			line = strings.TrimRight(line, " \t")
		}
		if line == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, line)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
