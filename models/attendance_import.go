package models

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/internal/meetingreport"
	"rounds/models/store"
)

// ImportLine is one participant of a report and what the import does with it.
type ImportLine struct {
	Name     string       `json:"name"`
	Email    string       `json:"email"`
	Minutes  int          `json:"minutes"`
	UserID   int64        `json:"user_id,omitempty"`
	UserName string       `json:"user_name,omitempty"`
	Action   ImportAction `json:"action"`
}

// ImportPlan is a report matched against the members, before it is applied.
type ImportPlan struct {
	MinMinutes int          `json:"min_minutes"`
	Lines      []ImportLine `json:"lines"`
}

// ImportResult is what applying an import did.
type ImportResult struct {
	MarkedPresent int            `json:"marked_present"`
	Unmatched     []ImportPerson `json:"unmatched"`
	Skipped       int            `json:"skipped"`
}

// ImportPerson names a participant the import could not match.
type ImportPerson struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// DefaultImportMinutes is half the session's length: the time a participant
// must have stayed to count as present.
func DefaultImportMinutes(s Session) int {
	return int(s.EndsAt.Sub(s.StartsAt).Minutes()) / 2
}

func foldName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// PlanImport matches a Teams or Zoom report against the members: by e-mail
// first, then by a name that only one member has (among those booked on the
// session first, then among all members). minMinutes below 0 means the
// default, half the session.
func PlanImport(ctx context.Context, st *store.Store, actor User, sessionID int64, r meetingreport.Report, minMinutes int) (ImportPlan, error) {
	db := st.Read(ctx)
	s, err := manageableSession(db, actor, sessionID)
	if err != nil {
		return ImportPlan{}, err
	}
	if s.Status == SessionDraft {
		return ImportPlan{}, ErrSessionNotPublished
	}
	if minMinutes < 0 {
		minMinutes = DefaultImportMinutes(s)
	}
	teachers, err := sessionTeachers(db, s.ID)
	if err != nil {
		return ImportPlan{}, err
	}
	isTeacher := map[int64]bool{}
	for _, t := range teachers {
		isTeacher[t.ID] = true
	}
	var emails, names []string
	for _, p := range r.Participants {
		if p.Email != "" {
			emails = append(emails, NormalizeEmail(p.Email))
		}
		if n := foldName(p.Name); n != "" {
			names = append(names, n)
		}
	}
	byEmail := map[string]User{}
	// In batches: a report of a lecture theatre's worth of rows would pass
	// the database's limit of variables in one statement.
	for start := 0; start < len(emails); start += 500 {
		var us []User
		if err := db.Where("email IN ?", emails[start:min(start+500, len(emails))]).Find(&us).Error; err != nil {
			return ImportPlan{}, err
		}
		for _, u := range us {
			byEmail[u.Email] = u
		}
	}
	allByName := map[string][]User{}
	bookedByName := map[string][]User{}
	if len(names) > 0 {
		// Names are folded in Go (case, accents' case and spacing), which
		// SQL's LOWER cannot do everywhere; a society's members are few.
		wanted := map[string]bool{}
		for _, n := range names {
			wanted[n] = true
		}
		var us []User
		if err := db.Select("id, name, email, role").Find(&us).Error; err != nil {
			return ImportPlan{}, err
		}
		var booked []int64
		if err := db.Table("bookings").Where("session_id = ? AND status <> ?", s.ID, BookingCancelled).Pluck("user_id", &booked).Error; err != nil {
			return ImportPlan{}, err
		}
		isBooked := map[int64]bool{}
		for _, id := range booked {
			isBooked[id] = true
		}
		for _, u := range us {
			n := foldName(u.Name)
			if !wanted[n] {
				continue
			}
			allByName[n] = append(allByName[n], u)
			if isBooked[u.ID] {
				bookedByName[n] = append(bookedByName[n], u)
			}
		}
	}
	var registered []int64
	if err := db.Model(&Attendance{}).Where("session_id = ? AND source = ?", s.ID, SourceRegister).Pluck("user_id", &registered).Error; err != nil {
		return ImportPlan{}, err
	}
	byRegister := map[int64]bool{}
	for _, id := range registered {
		byRegister[id] = true
	}

	plan := ImportPlan{MinMinutes: minMinutes}
	seen := map[int64]int{} // user → index in plan.Lines, to merge two report lines of one member
	for _, p := range r.Participants {
		line := ImportLine{Name: p.Name, Email: p.Email, Minutes: p.Minutes, Action: ImportUnmatched}
		var u *User
		if m, ok := byEmail[NormalizeEmail(p.Email)]; ok && p.Email != "" {
			u = &m
		} else if c := bookedByName[foldName(p.Name)]; len(c) == 1 {
			u = &c[0]
		} else if c := allByName[foldName(p.Name)]; len(c) == 1 && len(bookedByName[foldName(p.Name)]) == 0 {
			u = &c[0]
		}
		if u != nil {
			if i, dup := seen[u.ID]; dup {
				plan.Lines[i].Minutes += p.Minutes
				plan.Lines[i].Action = importAction(plan.Lines[i].Minutes, minMinutes, isTeacher[u.ID], byRegister[u.ID])
				continue
			}
			line.UserID, line.UserName = u.ID, u.Name
			line.Action = importAction(p.Minutes, minMinutes, isTeacher[u.ID], byRegister[u.ID])
			seen[u.ID] = len(plan.Lines)
		}
		plan.Lines = append(plan.Lines, line)
	}
	sort.SliceStable(plan.Lines, func(i, j int) bool { return foldName(plan.Lines[i].Name) < foldName(plan.Lines[j].Name) })
	return plan, nil
}

func importAction(minutes, min int, teacher, registered bool) ImportAction {
	switch {
	case teacher:
		return ImportTeacher
	case registered:
		return ImportKeptRegister
	case minutes < min:
		return ImportTooShort
	}
	return ImportMarkPresent
}

// ApplyImport marks present, as attended online, every line of the plan
// whose action is present; a teacher's register entry is never overwritten.
// Lines are checked again: a tampered plan cannot mark a teacher or skip the
// minimum.
func ApplyImport(ctx context.Context, st *store.Store, actor User, sessionID int64, plan ImportPlan, now time.Time) (ImportResult, error) {
	var res ImportResult
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var err error
		res, err = applyImport(tx, actor, sessionID, plan, now) // afresh on each run of the transaction
		return err
	})
	return res, err
}

// applyImport is ApplyImport inside its transaction.
func applyImport(tx *gorm.DB, actor User, sessionID int64, plan ImportPlan, now time.Time) (ImportResult, error) {
	res := ImportResult{Unmatched: []ImportPerson{}}
	err := func() error {
		s, err := manageableSession(tx, actor, sessionID)
		if err != nil {
			return err
		}
		if s.Status == SessionDraft {
			return ErrSessionNotPublished
		}
		teacherIDs, err := sessionTeacherIDs(tx, s.ID)
		if err != nil {
			return err
		}
		actorID := actor.ID
		for _, l := range plan.Lines {
			if l.UserID == 0 || l.Action == ImportUnmatched {
				res.Unmatched = append(res.Unmatched, ImportPerson{Name: l.Name, Email: l.Email})
				continue
			}
			if l.Action != ImportMarkPresent || slices.Contains(teacherIDs, l.UserID) || l.Minutes < plan.MinMinutes {
				res.Skipped++
				continue
			}
			if _, err := userByID(tx, l.UserID); err != nil {
				res.Skipped++
				continue
			}
			old, found, err := attendanceFor(tx, s.ID, l.UserID, true)
			if err != nil {
				return err
			}
			rec := importRecord(s, l.UserID, l.Minutes, old, found)
			_, changed, err := putAttendance(tx, old, found, rec, &actorID, now)
			if err != nil {
				return err
			}
			if changed {
				res.MarkedPresent++
			} else {
				res.Skipped++
			}
		}
		detail := countWord(res.MarkedPresent, "member", "members") + " marked present, " +
			countWord(len(res.Unmatched), "line", "lines") + " unmatched, " + countWord(res.Skipped, "line", "lines") + " skipped"
		if err := audit(tx, actor, AuditAttendanceImport, s.Title+" ("+s.StartsAt.Format("2 Jan 2006")+")", detail, now); err != nil {
			return err
		}
		if res.MarkedPresent == 0 {
			return nil
		}
		return markFiguresStale(tx, s.ID)
	}()
	return res, err
}
