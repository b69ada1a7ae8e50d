package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"rounds/models/store"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MailOptOut is an optional topic a member has turned off.
type MailOptOut struct {
	UserID    int64     `gorm:"primaryKey"`
	Topic     MailTopic `gorm:"primaryKey"`
	CreatedAt time.Time
}

// TableName is mail_opt_outs.
func (MailOptOut) TableName() string { return "mail_opt_outs" }

// MailChoice is one optional topic as the account page shows it.
type MailChoice struct {
	Topic MailTopic
	On    bool
}

// MailPreferences lists the optional topics offered to u, each with
// whether it is on.
func MailPreferences(ctx context.Context, st *store.Store, u User) ([]MailChoice, error) {
	var off []MailTopic
	if err := st.Read(ctx).Model(&MailOptOut{}).Where("user_id = ?", u.ID).Pluck("topic", &off).Error; err != nil {
		return nil, fmt.Errorf("mail preferences: %w", err)
	}
	out := []MailChoice{}
	for _, t := range MailTopics {
		if topicOffered(t, u.Role) {
			on := true
			for _, o := range off {
				on = on && o != t
			}
			out = append(out, MailChoice{Topic: t, On: on})
		}
	}
	return out, nil
}

// SetMailPreferences turns on the topics in on and off every other topic
// offered to u. Topics not offered to u (register reminders for a student)
// are left as they are.
func SetMailPreferences(ctx context.Context, st *store.Store, u User, on []MailTopic, now time.Time) error {
	p := Problems{}
	want := map[MailTopic]bool{}
	for _, t := range on {
		if !t.Valid() {
			p.Add("topics", "Choose from the e-mails listed.")
		}
		want[t] = true
	}
	if err := p.Err(); err != nil {
		return err
	}
	return st.Write(ctx, func(tx *gorm.DB) error {
		for _, t := range MailTopics {
			if !topicOffered(t, u.Role) {
				continue
			}
			if err := setOptOut(tx, u.ID, t, !want[t], now); err != nil {
				return err
			}
		}
		return nil
	})
}

// TurnOffMail turns one topic off for the member, as the one-click link in
// an e-mail does. Doing it twice changes nothing.
func TurnOffMail(ctx context.Context, st *store.Store, userID int64, topic MailTopic, now time.Time) error {
	if !topic.Valid() {
		return ErrNotFound
	}
	return st.Write(ctx, func(tx *gorm.DB) error {
		if _, err := userByID(tx, userID); err != nil {
			return err
		}
		return setOptOut(tx, userID, topic, true, now)
	})
}

func setOptOut(tx *gorm.DB, userID int64, topic MailTopic, off bool, now time.Time) error {
	if !off {
		return tx.Where("user_id = ? AND topic = ?", userID, topic).Delete(&MailOptOut{}).Error
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&MailOptOut{UserID: userID, Topic: topic, CreatedAt: now.UTC()}).Error
}

// WantsMail tells whether the member still wants an e-mail of kind: true
// for the kinds that always go.
func WantsMail(ctx context.Context, st *store.Store, userID int64, kind MailKind) (bool, error) {
	topic, optional := mailTopicOf(kind)
	if !optional {
		return true, nil
	}
	var n int64
	err := st.Read(ctx).Model(&MailOptOut{}).Where("user_id = ? AND topic = ?", userID, topic).Count(&n).Error
	return n == 0, err
}

// wantsTopic is a condition for a planner's query: the member whose id is
// in column has not turned the topic (the query's argument) off.
func wantsTopic(column string) string {
	return "NOT EXISTS (SELECT 1 FROM mail_opt_outs mo WHERE mo.user_id = " + column + " AND mo.topic = ?)"
}

// ErrBadUnsubscribeLink is returned for an unsubscribe link that was not
// made by this site (or was altered).
var ErrBadUnsubscribeLink = errors.New("this link to turn e-mails off is not valid")

// UnsubscribeToken is the signed part of the one-click link that turns
// topic off for a member: "<user id>.<topic>.<signature>". The key is the
// site's secret (EnsureSecret "unsubscribe_key"), shared by every instance.
func UnsubscribeToken(key []byte, userID int64, topic MailTopic) string {
	body := strconv.FormatInt(userID, 10) + "." + string(topic)
	return body + "." + unsubscribeSignature(key, body)
}

// ParseUnsubscribeToken checks a token made by UnsubscribeToken and returns
// whom and what it is for.
func ParseUnsubscribeToken(key []byte, token string) (int64, MailTopic, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return 0, "", ErrBadUnsubscribeLink
	}
	body, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(unsubscribeSignature(key, body))) {
		return 0, "", ErrBadUnsubscribeLink
	}
	idText, topic, ok := strings.Cut(body, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || !MailTopic(topic).Valid() {
		return 0, "", ErrBadUnsubscribeLink
	}
	return id, MailTopic(topic), nil
}

func unsubscribeSignature(key []byte, body string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("unsubscribe:" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
