// Package config reads Rounds' settings once, from ROUNDS_* environment
// variables and command-line flags, into a typed and validated struct.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	rmail "rounds/internal/mail"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of a running Rounds.
type Config struct {
	Addr        string
	DatabaseURL string
	BaseURL     string
	TimeZone    string
	Location    *time.Location
	SMTPURL     string
	MailFrom    string
	JobInterval time.Duration
	// DatabaseMaxConns is how many PostgreSQL connections the instance may
	// hold at once (SQLite has its own: one writer and a few readers).
	DatabaseMaxConns      int
	SessionReminderBefore time.Duration
	FeedbackReminderAfter time.Duration
	CheckinRotation       time.Duration
	CheckinLateAfter      time.Duration
	FeedbackMinResponses  int
	AllowedEmailDomains   []string
	PasswordResetTTL      time.Duration
	LoginTTL              time.Duration
	OutboxLease           time.Duration
	TrustProxy            bool
	LogFormat             string
	LogLevel              string
	// ConfirmEmail: a new sign-up must open the link in its welcome e-mail
	// before it may book, check in or give feedback.
	ConfirmEmail          bool
	RetentionMailDays     int // e-mail subjects and bodies are cleared after this many days
	RetentionAttemptsDays int // failed sign-in and check-in attempts are deleted after this many days
	// RetentionGraduatesYears: a student's account is erased this many
	// years after they graduated (0: never).
	RetentionGraduatesYears int
	// Single sign-on by OpenID Connect (sso.go): on when OIDCIssuer is set.
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCName         string   // the button's words
	OIDCDomains      []string // e-mail domains that may sign in by it; "*" for any
	PasswordLogin    bool     // accounts linked to single sign-on may also sign in by password
}

// setting describes one variable: its flag name, environment name, default and help.
type setting struct {
	flag, env, def, help string
}

var settings = []setting{
	{"addr", "ROUNDS_ADDR", ":8080", "listen address"},
	{"database-url", "ROUNDS_DATABASE_URL", "sqlite:rounds.db", "sqlite:PATH or postgres://…"},
	{"database-max-conns", "ROUNDS_DATABASE_MAX_CONNS", "20", "PostgreSQL connections this instance may hold at once; all instances together must stay under the server's max_connections"},
	{"base-url", "ROUNDS_BASE_URL", "http://localhost:8080", "public URL, used in e-mails, QR codes and feeds"},
	{"timezone", "ROUNDS_TIMEZONE", "Europe/London", "the society's time zone"},
	{"smtp-url", "ROUNDS_SMTP_URL", "", "smtp://user:pass@host:port?tls=none|starttls|tls (empty: keep e-mail in the outbox)"},
	{"mail-from", "ROUNDS_MAIL_FROM", "Rounds <no-reply@localhost>", "sender of e-mails"},
	{"job-interval", "ROUNDS_JOB_INTERVAL", "1m", "how often reminders are planned and the outbox delivered"},
	{"session-reminder-before", "ROUNDS_SESSION_REMINDER_BEFORE", "24h", "session reminder lead time"},
	{"feedback-reminder-after", "ROUNDS_FEEDBACK_REMINDER_AFTER", "48h", "delay before reminding non-respondents"},
	{"checkin-rotation", "ROUNDS_CHECKIN_ROTATION", "30s", "check-in code lifetime"},
	{"checkin-late-after", "ROUNDS_CHECKIN_LATE_AFTER", "10m", "after the start, check-ins count as late"},
	{"feedback-min-responses", "ROUNDS_FEEDBACK_MIN_RESPONSES", "3", "feedback details are withheld below this many responses"},
	{"allowed-email-domains", "ROUNDS_ALLOWED_EMAIL_DOMAINS", "", "comma-separated domains allowed to register (empty: any)"},
	{"password-reset-ttl", "ROUNDS_PASSWORD_RESET_TTL", "1h", "how long a password-reset link works"},
	{"login-ttl", "ROUNDS_LOGIN_TTL", "720h", "how long a login or API token lasts"},
	{"outbox-lease", "ROUNDS_OUTBOX_LEASE", "5m", "how long e-mails claimed by an instance that died wait before another sends them (at least 3m)"},
	{"trust-proxy", "ROUNDS_TRUST_PROXY", "false", "take the client address from X-Forwarded-For (behind a load balancer)"},
	{"log-format", "ROUNDS_LOG_FORMAT", "text", "text or json"},
	{"log-level", "ROUNDS_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"confirm-email", "ROUNDS_CONFIRM_EMAIL", "true", "a new sign-up confirms its e-mail address by a link before it may book (false: confirmed at once)"},
	{"retention-mail-days", "ROUNDS_RETENTION_MAIL_DAYS", "90", "days after which a sent e-mail's subject and body are cleared"},
	{"retention-attempts-days", "ROUNDS_RETENTION_ATTEMPTS_DAYS", "30", "days after which records of failed sign-in and check-in attempts are deleted"},
	{"retention-graduates-years", "ROUNDS_RETENTION_GRADUATES_YEARS", "2", "years after graduating that a former student's account is erased (0: never)"},
	{"oidc-issuer", "ROUNDS_OIDC_ISSUER", "", "OpenID Connect issuer URL for single sign-on (empty: off)"},
	{"oidc-client-id", "ROUNDS_OIDC_CLIENT_ID", "", "OpenID Connect client id"},
	{"oidc-client-secret", "ROUNDS_OIDC_CLIENT_SECRET", "", "OpenID Connect client secret"},
	{"oidc-name", "ROUNDS_OIDC_NAME", "Sign in with your university account", "the single sign-on button's words"},
	{"oidc-domains", "ROUNDS_OIDC_DOMAINS", "", "comma-separated e-mail domains that may sign in by single sign-on, * for any (needed when the issuer is set)"},
	{"password-login", "ROUNDS_PASSWORD_LOGIN", "true", "accounts linked to single sign-on may also sign in by password"},
}

// Load reads the settings: a flag given in args wins over the environment,
// which wins over the default. getenv is usually os.Getenv.
func Load(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("rounds serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := make(map[string]*string, len(settings))
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		values[s.env] = fs.String(s.flag, def, s.help+" ($"+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, fmt.Errorf("config: %w (see 'rounds help')", err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	return parse(func(env string) string { return strings.TrimSpace(*values[env]) })
}

// Usage describes every setting, for 'rounds help'.
func Usage() string {
	var b strings.Builder
	for _, s := range settings {
		fmt.Fprintf(&b, "  --%-26s %-32s %s (default %q)\n", s.flag, s.env, s.help, s.def)
	}
	return b.String()
}

func parse(get func(string) string) (Config, error) {
	var errs []error
	bad := func(env, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{env}, a...)...))
	}
	duration := func(env string, min time.Duration) time.Duration {
		d, err := time.ParseDuration(get(env))
		if err != nil {
			bad(env, "%q is not a duration like 30s, 10m or 24h", get(env))
			return 0
		}
		if d < min {
			bad(env, "must be at least %s", min)
		}
		return d
	}
	c := Config{
		Addr:                  get("ROUNDS_ADDR"),
		DatabaseURL:           get("ROUNDS_DATABASE_URL"),
		BaseURL:               strings.TrimRight(get("ROUNDS_BASE_URL"), "/"),
		TimeZone:              get("ROUNDS_TIMEZONE"),
		SMTPURL:               get("ROUNDS_SMTP_URL"),
		MailFrom:              get("ROUNDS_MAIL_FROM"),
		JobInterval:           duration("ROUNDS_JOB_INTERVAL", time.Second),
		SessionReminderBefore: duration("ROUNDS_SESSION_REMINDER_BEFORE", 0),
		FeedbackReminderAfter: duration("ROUNDS_FEEDBACK_REMINDER_AFTER", 0),
		CheckinRotation:       duration("ROUNDS_CHECKIN_ROTATION", 5*time.Second),
		CheckinLateAfter:      duration("ROUNDS_CHECKIN_LATE_AFTER", 0),
		PasswordResetTTL:      duration("ROUNDS_PASSWORD_RESET_TTL", time.Minute),
		LoginTTL:              duration("ROUNDS_LOGIN_TTL", time.Minute),
		OutboxLease:           duration("ROUNDS_OUTBOX_LEASE", 3*time.Minute), // over twice the SMTP timeout of one message
		LogFormat:             get("ROUNDS_LOG_FORMAT"),
		LogLevel:              get("ROUNDS_LOG_LEVEL"),
	}
	if c.Addr == "" {
		bad("ROUNDS_ADDR", "must not be empty")
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("ROUNDS_DATABASE_URL", "%q must start with sqlite: or postgres://", c.DatabaseURL)
	} else if c.DatabaseURL == "sqlite:" {
		bad("ROUNDS_DATABASE_URL", "sqlite: needs a file path, e.g. sqlite:rounds.db")
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("ROUNDS_BASE_URL", "%q must be an http:// or https:// URL", c.BaseURL)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" {
		bad("ROUNDS_TIMEZONE", "%q is not a known time zone such as Europe/London", c.TimeZone)
	}
	c.Location = loc
	if c.SMTPURL != "" {
		if _, err := rmail.ParseURL(c.SMTPURL); err != nil {
			bad("ROUNDS_SMTP_URL", "%v", err)
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		bad("ROUNDS_MAIL_FROM", "%q is not an e-mail address such as Rounds <no-reply@example.org>", c.MailFrom)
	}
	n, err := strconv.Atoi(get("ROUNDS_FEEDBACK_MIN_RESPONSES"))
	if err != nil || n < 1 {
		bad("ROUNDS_FEEDBACK_MIN_RESPONSES", "%q must be a whole number of at least 1", get("ROUNDS_FEEDBACK_MIN_RESPONSES"))
	}
	c.FeedbackMinResponses = n
	if c.DatabaseMaxConns, err = strconv.Atoi(get("ROUNDS_DATABASE_MAX_CONNS")); err != nil || c.DatabaseMaxConns < 2 || c.DatabaseMaxConns > 1000 {
		bad("ROUNDS_DATABASE_MAX_CONNS", "%q must be a whole number from 2 to 1000", get("ROUNDS_DATABASE_MAX_CONNS"))
	}
	for _, d := range strings.Split(get("ROUNDS_ALLOWED_EMAIL_DOMAINS"), ",") {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d != "" {
			c.AllowedEmailDomains = append(c.AllowedEmailDomains, d)
		}
	}
	c.TrustProxy, err = strconv.ParseBool(get("ROUNDS_TRUST_PROXY"))
	if err != nil {
		bad("ROUNDS_TRUST_PROXY", "%q must be true or false", get("ROUNDS_TRUST_PROXY"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("ROUNDS_LOG_FORMAT", "%q must be text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("ROUNDS_LOG_LEVEL", "%q must be debug, info, warn or error", c.LogLevel)
	}
	c.ConfirmEmail, err = strconv.ParseBool(get("ROUNDS_CONFIRM_EMAIL"))
	if err != nil {
		bad("ROUNDS_CONFIRM_EMAIL", "%q must be true or false", get("ROUNDS_CONFIRM_EMAIL"))
	}
	for _, r := range []struct {
		env   string
		field *int
	}{{"ROUNDS_RETENTION_MAIL_DAYS", &c.RetentionMailDays}, {"ROUNDS_RETENTION_ATTEMPTS_DAYS", &c.RetentionAttemptsDays}} {
		days, err := strconv.Atoi(get(r.env))
		if err != nil || days < 1 || days > 3650 {
			bad(r.env, "%q must be a whole number of days from 1 to 3650", get(r.env))
		}
		*r.field = days
	}
	if years, err := strconv.Atoi(get("ROUNDS_RETENTION_GRADUATES_YEARS")); err != nil || years < 0 || years > 50 {
		bad("ROUNDS_RETENTION_GRADUATES_YEARS", "%q must be a whole number of years from 0 (never) to 50", get("ROUNDS_RETENTION_GRADUATES_YEARS"))
	} else {
		c.RetentionGraduatesYears = years
	}
	parseSSO(&c, get, bad)
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
}
