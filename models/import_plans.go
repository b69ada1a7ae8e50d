package models

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// StoredImport is an attendance report matched against the members and
// kept for the teacher who uploaded it, until they apply it.
type StoredImport struct {
	ID        string
	SessionID int64
	UserID    int64
	Source    string // "teams" or "zoom"
	Title     string // the meeting's title in the report
	Plan      ImportPlan
	CreatedAt time.Time
}

// importPlanRow is a row of import_plans.
type importPlanRow struct {
	ID        string
	SessionID int64
	UserID    int64
	Source    string
	Title     string
	Plan      string
	CreatedAt time.Time
}

func (importPlanRow) TableName() string { return "import_plans" }

// ImportKeptFor is how long an uploaded report waits to be applied.
const ImportKeptFor = 24 * time.Hour

// ErrImportGone is an import that was never made by this teacher for this
// session, or was made more than a day ago.
var ErrImportGone = &Error{KindNotFound, "import_not_found", "That import has expired. Please upload the report again."}

// KeepImport stores a plan made by PlanImport for the actor to check and
// apply, and returns its id. Plans older than ImportKeptFor are cleared.
func KeepImport(ctx context.Context, st *store.Store, actor User, sessionID int64, source, title string, plan ImportPlan, now time.Time) (string, error) {
	raw, err := json.Marshal(plan)
	if err != nil {
		return "", err
	}
	id := NewSecret()
	err = st.Write(ctx, func(tx *gorm.DB) error {
		if _, err := manageableSession(tx, actor, sessionID); err != nil {
			return err
		}
		if err := tx.Where("created_at < ?", now.Add(-ImportKeptFor)).Delete(&importPlanRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&importPlanRow{ID: id, SessionID: sessionID, UserID: actor.ID, Source: source, Title: title, Plan: string(raw), CreatedAt: now}).Error
	})
	return id, err
}

// KeptImport reads back an import the actor uploaded for the session.
func KeptImport(ctx context.Context, st *store.Store, actor User, sessionID int64, id string, now time.Time) (StoredImport, error) {
	return keptImport(st.Read(ctx), actor, sessionID, id, now)
}

func keptImport(db *gorm.DB, actor User, sessionID int64, id string, now time.Time) (StoredImport, error) {
	if _, err := manageableSession(db, actor, sessionID); err != nil {
		return StoredImport{}, err
	}
	var rows []importPlanRow
	if err := db.Where("id = ? AND session_id = ? AND user_id = ?", id, sessionID, actor.ID).Limit(1).Find(&rows).Error; err != nil {
		return StoredImport{}, err
	}
	if len(rows) == 0 || rows[0].CreatedAt.Before(now.Add(-ImportKeptFor)) {
		return StoredImport{}, ErrImportGone
	}
	r := rows[0]
	out := StoredImport{ID: r.ID, SessionID: r.SessionID, UserID: r.UserID, Source: r.Source, Title: r.Title, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Plan), &out.Plan); err != nil {
		return StoredImport{}, err
	}
	return out, nil
}

// ImportCandidates are the members a teacher may match by hand to a
// participant the import could not match: those booked on the session or
// already on its register, but not its teachers nor anyone the plan has
// matched already, by name.
func ImportCandidates(ctx context.Context, st *store.Store, actor User, sessionID int64, plan ImportPlan) ([]User, error) {
	db := st.Read(ctx)
	if _, err := manageableSession(db, actor, sessionID); err != nil {
		return nil, err
	}
	m, err := importCandidates(db, sessionID, plan)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(m))
	for _, u := range m {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name); a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func importCandidates(db *gorm.DB, sessionID int64, plan ImportPlan) (map[int64]User, error) {
	var ids []int64
	if err := db.Table("bookings").Where("session_id = ? AND status <> ?", sessionID, BookingCancelled).Pluck("user_id", &ids).Error; err != nil {
		return nil, err
	}
	var onRegister []int64
	if err := db.Model(&Attendance{}).Where("session_id = ?", sessionID).Pluck("user_id", &onRegister).Error; err != nil {
		return nil, err
	}
	teachers, err := sessionTeacherIDs(db, sessionID)
	if err != nil {
		return nil, err
	}
	skip := map[int64]bool{}
	for _, id := range teachers {
		skip[id] = true
	}
	for _, l := range plan.Lines {
		if l.UserID != 0 {
			skip[l.UserID] = true
		}
	}
	want := []int64{}
	for _, id := range append(ids, onRegister...) {
		if !skip[id] {
			want = append(want, id)
			skip[id] = true
		}
	}
	out := map[int64]User{}
	for start := 0; start < len(want); start += 500 {
		var us []User
		if err := db.Select("id, name, email, role").Where("id IN ?", want[start:min(start+500, len(want))]).Find(&us).Error; err != nil {
			return nil, err
		}
		for _, u := range us {
			out[u.ID] = u
		}
	}
	return out, nil
}

// ApplyKeptImport applies an import the actor uploaded, with the members
// they matched by hand (line of the plan → member; 0 leaves a line
// unmatched), in one transaction.
func ApplyKeptImport(ctx context.Context, st *store.Store, actor User, sessionID int64, id string, byHand map[int]int64, now time.Time) (ImportResult, error) {
	var res ImportResult
	err := st.Write(ctx, func(tx *gorm.DB) error {
		kept, err := keptImport(tx, actor, sessionID, id, now)
		if err != nil {
			return err
		}
		candidates, err := importCandidates(tx, sessionID, kept.Plan)
		if err != nil {
			return err
		}
		var registered []int64
		if err := tx.Model(&Attendance{}).Where("session_id = ? AND source = ?", sessionID, SourceRegister).Pluck("user_id", &registered).Error; err != nil {
			return err
		}
		byRegister := map[int64]bool{}
		for _, u := range registered {
			byRegister[u] = true
		}
		plan, p := matchByHand(kept.Plan, byHand, candidates, byRegister)
		if err := p.Err(); err != nil {
			return err
		}
		res, err = applyImport(tx, actor, sessionID, plan, now)
		return err
	})
	return res, err
}

// matchByHand gives unmatched lines of a plan the members a teacher chose
// for them (line → member, 0 for none). Only a candidate may be chosen, for
// one line only; the line then does what a match by e-mail would.
func matchByHand(plan ImportPlan, byHand map[int]int64, candidates map[int64]User, registered map[int64]bool) (ImportPlan, Problems) {
	p := Problems{}
	out := ImportPlan{MinMinutes: plan.MinMinutes, Lines: append([]ImportLine(nil), plan.Lines...)}
	lines := make([]int, 0, len(byHand))
	for i := range byHand {
		lines = append(lines, i)
	}
	sort.Ints(lines)
	chosen := map[int64]bool{}
	for _, i := range lines {
		uid := byHand[i]
		if uid == 0 {
			continue
		}
		field := "match-" + strconv.Itoa(i)
		if i < 0 || i >= len(out.Lines) || out.Lines[i].Action != ImportUnmatched {
			p.Add(field, "That participant is matched already. Upload the report again to change it.")
			continue
		}
		u, ok := candidates[uid]
		if !ok {
			p.Add(field, "Choose a member booked on this session or already on its register.")
			continue
		}
		if chosen[uid] {
			p.Add(field, u.Name+" is chosen for two participants. Choose them once.")
			continue
		}
		chosen[uid] = true
		l := &out.Lines[i]
		l.UserID, l.UserName = u.ID, u.Name
		l.Action = importAction(l.Minutes, plan.MinMinutes, false, registered[u.ID])
	}
	return out, p
}
