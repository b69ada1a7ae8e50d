package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/internal/ical"
	"rounds/models/store"
)

// CalendarFeedSecret returns the secret of the member's private calendar
// feed, creating the feed on first use. The secret is derived from the feed's
// row and the server secret, so it can be shown again while only its hash is
// stored; revoking the feed makes a new one with a new secret.
func CalendarFeedSecret(ctx context.Context, st *store.Store, userID int64, serverSecret []byte, now time.Time) (string, error) {
	var secret string
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var t Token
		err := tx.Where("user_id = ? AND kind = ?", userID, TokenCalendar).Order("id").Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// Insert with a placeholder hash, then set the hash derived from the id.
			t = Token{Kind: TokenCalendar, Hash: "pending-" + NewSecret(), UserID: userID, CreatedAt: now.UTC()}
			if err := tx.Create(&t).Error; err != nil {
				return err
			}
			secret = calendarSecret(serverSecret, t.ID, userID)
			return tx.Model(&t).Update("hash", HashSecret(secret)).Error
		}
		if err != nil {
			return err
		}
		secret = calendarSecret(serverSecret, t.ID, userID)
		return nil
	})
	return secret, err
}

func calendarSecret(serverSecret []byte, tokenID, userID int64) string {
	m := hmac.New(sha256.New, serverSecret)
	m.Write([]byte("calendar:" + strconv.FormatInt(tokenID, 10) + ":" + strconv.FormatInt(userID, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// RevokeCalendarFeed ends the member's calendar feed; the next request for
// it makes a new address.
func RevokeCalendarFeed(ctx context.Context, st *store.Store, userID int64) error {
	return RevokeTokens(ctx, st, userID, TokenCalendar)
}

// SessionEvent describes a session as an iCalendar event: its UID is stable
// across changes and its SEQUENCE grows with each published revision.
func SessionEvent(ctx context.Context, st *store.Store, baseURL string, s Session) (ical.Event, error) {
	db := st.Read(ctx)
	teachers, err := sessionTeachers(db, s.ID)
	if err != nil {
		return ical.Event{}, err
	}
	host := baseURL
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	page := baseURL + "/sessions/" + strconv.FormatInt(s.ID, 10)
	var desc strings.Builder
	if len(teachers) > 0 {
		names := make([]string, len(teachers))
		for i, t := range teachers {
			names[i] = t.Name
		}
		desc.WriteString("Taught by " + strings.Join(names, ", ") + ".\n\n")
	}
	if s.Description != "" {
		desc.WriteString(s.Description + "\n\n")
	}
	if s.Status == SessionCancelled && s.CancelReason != "" {
		desc.WriteString("Cancelled: " + s.CancelReason + "\n\n")
	}
	desc.WriteString(page)
	location := s.Venue
	switch s.Mode {
	case ModeOnline:
		location = "Online"
	case ModeHybrid:
		location = s.Venue + " and online"
	}
	status := ical.StatusConfirmed
	if s.Status == SessionCancelled {
		status = ical.StatusCancelled
	}
	ev := ical.Event{
		UID:          "session-" + strconv.FormatInt(s.ID, 10) + "@" + host,
		Sequence:     s.Sequence,
		Summary:      s.Title,
		Description:  desc.String(),
		Location:     location,
		URL:          page,
		Start:        s.StartsAt,
		End:          s.EndsAt,
		Status:       status,
		LastModified: s.UpdatedAt,
		DTStamp:      s.UpdatedAt,
	}
	if s.Topic != "" {
		ev.Categories = []string{s.Topic}
	}
	return ev, nil
}
