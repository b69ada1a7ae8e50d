package models

import (
	"context"
	"fmt"
	"rounds/models/store"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// YearRecord says a member was in a year of study (nil: graduate) from
// ValidFrom on.
type YearRecord struct {
	ID          int64
	UserID      int64
	YearOfStudy *int
	ValidFrom   time.Time
}

// TableName names the history table.
func (YearRecord) TableName() string { return "year_history" }

// recordYear notes the member's year of study from at on.
func recordYear(tx *gorm.DB, userID int64, year *int, at time.Time) error {
	return tx.Create(&YearRecord{UserID: userID, YearOfStudy: year, ValidFrom: at.UTC()}).Error
}

// AcademicYearStart is 1 August of the academic year that contains t, in loc.
func AcademicYearStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y := t.Year()
	if t.Month() < time.August {
		y--
	}
	return time.Date(y, time.August, 1, 0, 0, 0, 0, loc)
}

// AcademicYearLabel names the academic year that starts at start, "2026/27".
func AcademicYearLabel(start time.Time) string {
	y := start.Year()
	return fmt.Sprintf("%d/%02d", y, (y+1)%100)
}

// YearChange is one line of the academic-year preview: how many members of
// a year move to the next.
type YearChange struct {
	From    *int `json:"from"`
	To      *int `json:"to"`
	Members int  `json:"members"`
}

// RolloverPreview tells what "start a new academic year" would change, and
// whether this academic year has already been started.
type RolloverPreview struct {
	AcademicYear string       `json:"academic_year"`
	Changes      []YearChange `json:"changes"`
	Total        int          `json:"total"`
	AlreadyDone  bool         `json:"already_done"`
	Starts       time.Time    `json:"starts_on"` // 1 August of the academic year, in the society's time zone
	Last         *Rollover    `json:"last"`      // the last start of an academic year on record, or null
}

// ErrRolloverDone refuses a second rollover in one academic year.
var ErrRolloverDone = &Error{KindConflict, "academic_year_already_started", "The new academic year has already been started; everyone has moved up once this year."}

func rolloverKey(start time.Time) string { return "rollover:" + strconv.Itoa(start.Year()) }

// PreviewRollover counts the members who would move up a year at now.
func PreviewRollover(ctx context.Context, st *store.Store, now time.Time, loc *time.Location) (RolloverPreview, error) {
	return previewRollover(st.Read(ctx), now, loc)
}

// previewRollover is PreviewRollover on a handle given by the caller (a transaction, or a read).
func previewRollover(db *gorm.DB, now time.Time, loc *time.Location) (RolloverPreview, error) {
	start := AcademicYearStart(now, loc)
	p := RolloverPreview{AcademicYear: AcademicYearLabel(start), Starts: start}
	done, err := setting(db, rolloverKey(start))
	if err != nil {
		return p, err
	}
	p.AlreadyDone = done != ""
	if p.Last, err = lastRollover(db); err != nil {
		return p, err
	}
	var rows []struct {
		YearOfStudy int
		N           int
	}
	if err := db.Model(&User{}).Select("year_of_study, COUNT(*) AS n").Where("year_of_study IS NOT NULL").
		Group("year_of_study").Order("year_of_study").Scan(&rows).Error; err != nil {
		return p, err
	}
	for _, r := range rows {
		from := r.YearOfStudy
		var to *int
		if from < 6 {
			next := from + 1
			to = &next
		}
		p.Changes = append(p.Changes, YearChange{From: &from, To: to, Members: r.N})
		p.Total += r.N
	}
	return p, nil
}

// RollOverYear starts a new academic year: every member in years 1–5 moves
// up one year, year 6 become graduates. History keeps the old years, so past
// figures do not change. It runs once per academic year.
func RollOverYear(ctx context.Context, st *store.Store, actor User, now time.Time, loc *time.Location) (RolloverPreview, error) {
	if !actor.IsCommittee() {
		return RolloverPreview{}, ErrForbidden
	}
	var p RolloverPreview
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var err error
		if p, err = previewRollover(tx, now, loc); err != nil {
			return err
		}
		if p.AlreadyDone {
			return ErrRolloverDone
		}
		start := AcademicYearStart(now, loc)
		if err := tx.Exec("INSERT INTO settings (key, value) VALUES (?, ?)", rolloverKey(start), now.UTC().Format(time.RFC3339)).Error; err != nil {
			if isDuplicate(err) {
				return ErrRolloverDone
			}
			return err
		}
		if err := recordRollover(tx, actor, p, now); err != nil {
			return err
		}
		if p.Last, err = lastRollover(tx); err != nil {
			return err
		}
		var ids []int64
		if err := tx.Model(&User{}).Where("year_of_study IS NOT NULL").Pluck("id", &ids).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE users SET year_of_study = CASE WHEN year_of_study >= 6 THEN NULL ELSE year_of_study + 1 END, updated_at = ?
WHERE year_of_study IS NOT NULL`, now.UTC()).Error; err != nil {
			return err
		}
		// One history row per member who moved, in batches.
		for len(ids) > 0 {
			n := min(len(ids), 500)
			if err := tx.Exec(`INSERT INTO year_history (user_id, year_of_study, valid_from)
SELECT id, year_of_study, ? FROM users WHERE id IN ?`, now.UTC(), ids[:n]).Error; err != nil {
				return err
			}
			ids = ids[n:]
		}
		return nil
	})
	return p, err
}
