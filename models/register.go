package models

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// MarkRegisterMany records several register entries of one session at once
// (student → entry), all or none: a mistake in one line changes nothing and
// names the student. It returns how many lines changed.
func MarkRegisterMany(ctx context.Context, st *store.Store, actor User, sessionID int64, entries map[int64]RegisterEntry, now time.Time) (int, error) {
	if len(entries) == 0 {
		return 0, &ValidationError{Fields: map[string]string{"status": "Choose a status for at least one student, then save."}}
	}
	ids := make([]int64, 0, len(entries))
	for id := range entries {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var n int
	err := st.Write(ctx, func(tx *gorm.DB) error {
		n = 0
		s, err := manageableSession(tx, actor, sessionID)
		if err != nil {
			return err
		}
		if s.Status == SessionDraft {
			return ErrSessionNotPublished
		}
		for _, id := range ids {
			_, changed, err := markRegisterLine(tx, actor, s, id, entries[id], now)
			var ve *ValidationError
			if errors.As(err, &ve) {
				name := "A student"
				if u, uerr := userByID(tx, id); uerr == nil {
					name = u.Name
				}
				for _, f := range []string{"status", "mode"} {
					if msg, ok := ve.Fields[f]; ok {
						return &ValidationError{Fields: map[string]string{f + "-" + strconv.FormatInt(id, 10): name + ": " + msg}}
					}
				}
			}
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return markFiguresStale(tx, s.ID)
	})
	return n, err
}
