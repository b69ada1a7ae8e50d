package models

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"rounds/models/store"
)

// privacyKey is the settings row that holds the privacy page's text, once
// committee has edited it.
const privacyKey = "privacy_text"

// PrivacyTextMax is the longest privacy text committee may save, in characters.
const PrivacyTextMax = 20000

// DefaultPrivacyText is the privacy page's text until committee edits it:
// plain paragraphs separated by blank lines.
const DefaultPrivacyText = `Rounds is the society's booking and attendance system. This page says what it keeps about you, why, who can see it and for how long.

What Rounds keeps: your name, your e-mail address, your year of study and your role; the sessions you book, attend or teach; your check-ins and the register; the feedback you give; your certificates; your mentoring applications, pairs and meetings, if you take part; and the e-mails it sends you. If you sign in with your university account, Rounds keeps which account it is there (the identifier your university gives Rounds, and the address it last gave); if you add passkeys, it keeps each one's public key, name and when it was last used — never your fingerprint or screen lock.

Why: to let you book and attend teaching, to send you reminders and certificates, to let teachers improve their sessions, and to let the committee plan teaching and report on it to the medical school.

Who sees it: teachers see who booked and attended their own sessions, and feedback on them without names. Committee see every session, booking, register and member, the dashboards and the outbox of e-mails. They cannot see what any one student answered about a session, nor when: feedback is never shown with a name, a summary shows nothing until enough students have answered, and the outbox shows only the recipient, kind, status and day of e-mails that follow feedback. What committee do with members' roles, the academic year, attendance imports and the outbox is recorded in an audit log they cannot change.

Your rights: you may have a copy of everything Rounds keeps about you, and have your account erased. Both are on your account page. "Download my data" e-mails you a link to a file of it. "Delete my account" asks you to confirm, then erases your account after the wait given below, so that you can change your mind until then. It erases your name, e-mail address, password, log-ins and what you wrote; it keeps, with no name attached, that a student of your year came to past sessions and the ratings you gave, so the society's figures stay as they were. Your certificates are then shown as withdrawn. If you cannot log in, write to the society's committee; they will answer within one month.

How long: when you graduate, your account is erased after the period given below. Teachers and committee members who were never students here are not erased this way; they can delete their account themselves.`

// PrivacyText returns the privacy page's text and whether committee has
// edited it (false: DefaultPrivacyText).
func PrivacyText(ctx context.Context, st *store.Store) (string, bool, error) {
	v, err := Setting(ctx, st, privacyKey)
	if err != nil || v == "" {
		return DefaultPrivacyText, false, err
	}
	return v, true, nil
}

// SetPrivacyText saves committee's text for the privacy page, recorded in
// the audit log. Empty text brings back DefaultPrivacyText.
func SetPrivacyText(ctx context.Context, st *store.Store, actor User, text string, now time.Time) error {
	if !actor.IsCommittee() {
		return ErrForbidden
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	p := Problems{}
	switch {
	case !utf8.ValidString(text):
		p.Add("text", "The text has characters that are not valid; paste it again as plain text.")
	case utf8.RuneCountInString(text) > PrivacyTextMax:
		p.Add("text", "Keep the text under 20,000 characters.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	return st.Write(ctx, func(tx *gorm.DB) error {
		detail := "Changed the text"
		if text == "" {
			detail = "Brought back the default text"
			if err := tx.Exec("DELETE FROM settings WHERE key = ?", privacyKey).Error; err != nil {
				return err
			}
		} else if err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`, privacyKey, text).Error; err != nil {
			return err
		}
		return audit(tx, actor, AuditPrivacyEdited, "Privacy page", detail, now)
	})
}
