package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// Rollover records one start of an academic year: when, by whom, and how
// many members moved up and graduated.
type Rollover struct {
	ID           int64     `json:"-"`
	AcademicYear string    `json:"academic_year"`
	StartedAt    time.Time `json:"started_at"`
	StartedBy    *int64    `json:"started_by"`
	ByName       string    `json:"by_name" gorm:"-"` // "" when the member is gone
	Moved        int       `json:"moved"`
	Graduated    int       `json:"graduated"`
}

// recordRollover notes a start of an academic year in its transaction.
func recordRollover(tx *gorm.DB, actor User, p RolloverPreview, now time.Time) error {
	r := Rollover{AcademicYear: p.AcademicYear, StartedAt: now.UTC(), StartedBy: &actor.ID}
	for _, ch := range p.Changes {
		if ch.To == nil {
			r.Graduated += ch.Members
		} else {
			r.Moved += ch.Members
		}
	}
	if err := tx.Create(&r).Error; err != nil {
		if isDuplicate(err) {
			return ErrRolloverDone
		}
		return fmt.Errorf("record rollover: %w", err)
	}
	return audit(tx, actor, AuditYearRolledOver, p.AcademicYear,
		countWord(r.Moved, "member", "members")+" moved up a year, "+countWord(r.Graduated, "member", "members")+" graduated", now)
}

// lastRollover is the most recent start of an academic year on record, or
// nil.
func lastRollover(db *gorm.DB) (*Rollover, error) {
	var rs []Rollover
	if err := db.Order("started_at DESC, id DESC").Limit(1).Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("last rollover: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	r := rs[0]
	if r.StartedBy != nil {
		var names []string
		if err := db.Model(&User{}).Where("id = ?", *r.StartedBy).Pluck("name", &names).Error; err != nil {
			return nil, fmt.Errorf("last rollover: %w", err)
		}
		if len(names) > 0 {
			r.ByName = names[0]
		}
	}
	r.StartedAt = r.StartedAt.UTC()
	return &r, nil
}

// RolloverGraduates lists the members who would become graduates: those in
// year 6, by name.
func RolloverGraduates(ctx context.Context, st *store.Store) ([]User, error) {
	var out []User
	err := st.Read(ctx).Where("year_of_study = ?", 6).Order("name, id").Find(&out).Error
	return out, err
}
