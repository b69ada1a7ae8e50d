package config

import (
	"strings"
	"testing"
)

func TestRetentionSettings(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.RetentionMailDays != 90 || c.RetentionAttemptsDays != 30 {
		t.Errorf("defaults: mail %d days, attempts %d days; want 90 and 30", c.RetentionMailDays, c.RetentionAttemptsDays)
	}
	c, err = Load([]string{"--retention-attempts-days", "7"}, env(map[string]string{"ROUNDS_RETENTION_MAIL_DAYS": "30", "ROUNDS_RETENTION_ATTEMPTS_DAYS": "60"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RetentionMailDays != 30 || c.RetentionAttemptsDays != 7 {
		t.Errorf("mail %d days, attempts %d days; want 30 from the environment and 7 from the flag", c.RetentionMailDays, c.RetentionAttemptsDays)
	}
	for _, bad := range []string{"0", "-1", "ninety", "3651", "1.5"} {
		_, err := Load(nil, env(map[string]string{"ROUNDS_RETENTION_MAIL_DAYS": bad}))
		if err == nil || !strings.Contains(err.Error(), "ROUNDS_RETENTION_MAIL_DAYS") {
			t.Errorf("ROUNDS_RETENTION_MAIL_DAYS=%q: error %v, want one naming the variable", bad, err)
		}
	}
}
