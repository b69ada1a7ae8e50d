package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "sqlite:rounds.db" || c.BaseURL != "http://localhost:8080" ||
		c.Location.String() != "Europe/London" || c.JobInterval != time.Minute || c.SessionReminderBefore != 24*time.Hour ||
		c.FeedbackReminderAfter != 48*time.Hour || c.CheckinRotation != 30*time.Second || c.CheckinLateAfter != 10*time.Minute ||
		c.FeedbackMinResponses != 3 || c.SMTPURL != "" || c.PasswordResetTTL != time.Hour || len(c.AllowedEmailDomains) != 0 {
		t.Errorf("defaults = %+v", c)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := Load([]string{"--addr", "127.0.0.1:9000", "--timezone=America/New_York"},
		env(map[string]string{"ROUNDS_ADDR": ":7000", "ROUNDS_ALLOWED_EMAIL_DOMAINS": " Student.Example.ac.uk ,@nhs.net,", "ROUNDS_BASE_URL": "https://r.example/"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.Location.String() != "America/New_York" || c.BaseURL != "https://r.example" {
		t.Errorf("got %+v", c)
	}
	if strings.Join(c.AllowedEmailDomains, ",") != "student.example.ac.uk,nhs.net" {
		t.Errorf("domains = %v", c.AllowedEmailDomains)
	}
}

func TestBadSettingsSayWhich(t *testing.T) {
	cases := map[string]string{
		"ROUNDS_DATABASE_URL":           "mysql://x",
		"ROUNDS_TIMEZONE":               "Mars/Olympus",
		"ROUNDS_JOB_INTERVAL":           "soon",
		"ROUNDS_SMTP_URL":               "smtp://host:25?tls=maybe",
		"ROUNDS_BASE_URL":               "ftp://x",
		"ROUNDS_FEEDBACK_MIN_RESPONSES": "0",
		"ROUNDS_MAIL_FROM":              "not an address",
		"ROUNDS_LOG_FORMAT":             "xml",
		"ROUNDS_DATABASE_MAX_CONNS":     "1",
	}
	for k, v := range cases {
		_, err := Load(nil, env(map[string]string{k: v}))
		if err == nil {
			t.Errorf("%s=%q accepted", k, v)
			continue
		}
		if !strings.Contains(err.Error(), k) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: error %q should name the variable on one line", k, v, err)
		}
	}
	if _, err := Load([]string{"--no-such-flag"}, env(nil)); err == nil {
		t.Error("unknown flag accepted")
	}
}
