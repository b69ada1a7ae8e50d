package models

import (
	"context"
	"database/sql"
	"fmt"
	"rounds/models/store"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The dashboard reads roll-ups, not the raw tables: one session_figures row
// per ended session, session_stats rows by year of study and mode, and one
// session_attendees row per student who came. A change to a session, its
// bookings, attendance or feedback marks it in stats_dirty
// (markFiguresStale, in the same transaction); RefreshFigures works out
// again the marked sessions that have ended, before figures are read and
// from a scheduled job. So figures are always current and reading them never
// scans the raw records.

// markFiguresStale notes that a session's figures must be worked out again.
//
// The mark is an upsert that writes the row even when it is there already:
// the row lock it takes makes RefreshFigures (which claims marks with FOR
// UPDATE SKIP LOCKED on PostgreSQL) either skip a session whose change is not
// yet committed, or finish with it first, after which this change marks it
// again. With DO NOTHING a change that marked an already marked session
// while RefreshFigures was working it out could have its mark deleted before
// it committed, and its figures would have stayed stale.
//
// On PostgreSQL the mark is taken under a lock on the session's row (KEY
// SHARE, the least there is, in the same statement): the session's row
// first, then its mark, the order of lockSession and RefreshFigures. A
// change that marked first and locked the row after, as the foreign key of
// a later insert does, could deadlock with a booking. The session exists:
// every caller has read or written it in the transaction.
func markFiguresStale(tx *gorm.DB, sessionID int64) error {
	mark := "INSERT INTO stats_dirty (session_id) VALUES (?)"
	if store.DialectOf(tx) == store.Postgres {
		mark = "INSERT INTO stats_dirty (session_id) SELECT id FROM sessions WHERE id = ? FOR KEY SHARE"
	}
	return tx.Exec(mark+" ON CONFLICT (session_id) DO UPDATE SET session_id = excluded.session_id", sessionID).Error
}

// statsCell is one session_stats row being counted: a session's bookings,
// attendance and feedback of one year of study and mode.
type statsCell struct {
	year                                  int
	mode                                  Mode
	booked, attended, walkIns, waitlisted int
	responses, overall, teaching, gainSum int
}

// WeekOf is the Monday that starts t's week in loc, as 2006-01-02.
func WeekOf(t time.Time, loc *time.Location) string {
	d := t.In(loc)
	offset := (int(d.Weekday()) + 6) % 7
	return time.Date(d.Year(), d.Month(), d.Day()-offset, 0, 0, 0, 0, loc).Format("2006-01-02")
}

// figuresBatch is how many sessions RefreshFigures works out in one
// transaction.
const figuresBatch = 200

// RefreshFigures works out again the figures of every marked session that
// has ended by now; it returns how many. Several instances may run it at
// once: each marked session is taken by one of them. Sessions are worked out
// in batches, each read with a handful of queries and written with
// multi-row inserts, so that rebuilding every figure of a large society
// takes seconds.
func RefreshFigures(ctx context.Context, st *store.Store, now time.Time, loc *time.Location) (int, error) {
	db := st.Read(ctx)
	// Besides the ended sessions, a mark may belong to a session that was
	// deleted, or that was moved to a later time after its figures were
	// worked out: their roll-ups must go (and the mark of a deleted one).
	// Most marks belong to sessions still to come, and this runs before
	// every read of the figures, so it looks the marked sessions up by id
	// rather than joining whole tables.
	var marked []int64
	if err := db.Table("stats_dirty").Order("session_id").Pluck("session_id", &marked).Error; err != nil {
		return 0, fmt.Errorf("figures: %w", err)
	}
	if len(marked) == 0 {
		return 0, nil
	}
	endsAt := map[int64]time.Time{}
	hasFigures := map[int64]bool{}
	for start := 0; start < len(marked); start += 500 {
		part := marked[start:min(start+500, len(marked))]
		var found []struct {
			ID     int64
			EndsAt time.Time
		}
		if err := db.Table("sessions").Select("id, ends_at").Where("id IN ?", part).Scan(&found).Error; err != nil {
			return 0, fmt.Errorf("figures: %w", err)
		}
		for _, f := range found {
			endsAt[f.ID] = f.EndsAt
		}
		var figured []int64
		if err := db.Table("session_figures").Where("session_id IN ?", part).Pluck("session_id", &figured).Error; err != nil {
			return 0, fmt.Errorf("figures: %w", err)
		}
		for _, id := range figured {
			hasFigures[id] = true
		}
	}
	var ended, gone, moved []int64
	for _, id := range marked {
		end, ok := endsAt[id]
		switch {
		case !ok:
			gone = append(gone, id)
		case !end.After(now):
			ended = append(ended, id)
		case hasFigures[id]:
			moved = append(moved, id)
		}
	}
	if len(gone) > 0 {
		err := st.Write(ctx, func(tx *gorm.DB) error {
			return tx.Exec("DELETE FROM stats_dirty WHERE session_id IN ?", gone).Error
		})
		if err != nil {
			return 0, fmt.Errorf("figures: %w", err)
		}
	}
	if len(moved) > 0 {
		// Not ended (any more): no figures until it has. The mark stays.
		err := st.Write(ctx, func(tx *gorm.DB) error {
			months, err := clearFigures(tx, moved, loc)
			if err != nil {
				return err
			}
			if err := refreshMonths(tx, months, loc); err != nil {
				return err
			}
			return bumpFiguresVersion(tx)
		})
		if err != nil {
			return 0, fmt.Errorf("figures: %w", err)
		}
	}
	done := 0
	for len(ended) > 0 {
		batch := ended[:min(len(ended), figuresBatch)]
		ended = ended[len(batch):]
		n := 0
		err := st.Write(ctx, func(tx *gorm.DB) error {
			claim := batch
			if store.DialectOf(tx) == store.Postgres {
				// Sessions first, then their marks: the order of every
				// change (lockSession, then markFiguresStale). The figures
				// written below lock the session rows they refer to
				// anyway; taken here, skipping sessions a change holds,
				// the refresh never waits for a change waiting for it.
				claim = nil
				if err := tx.Table("sessions").Where("id IN ?", batch).Order("id").
					Clauses(clause.Locking{Strength: "KEY SHARE", Options: "SKIP LOCKED"}).Pluck("id", &claim).Error; err != nil {
					return err
				}
			}
			var mine []int64
			q := tx.Table("stats_dirty").Where("session_id IN ?", claim)
			if store.DialectOf(tx) == store.Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
			}
			if err := q.Pluck("session_id", &mine).Error; err != nil {
				return err
			}
			if len(mine) == 0 {
				return nil
			}
			if err := figureSessions(tx, mine, loc); err != nil {
				return err
			}
			if err := tx.Exec("DELETE FROM stats_dirty WHERE session_id IN ?", mine).Error; err != nil {
				return err
			}
			n = len(mine)
			return bumpFiguresVersion(tx)
		})
		if err != nil {
			return done, fmt.Errorf("figures: %w", err)
		}
		done += n
	}
	return done, nil
}

// bumpFiguresVersion moves the version of the figures (migration 0106), as
// the last statement of a transaction that wrote roll-ups: on PostgreSQL
// its row lock is then held only while committing. Once a transaction: the
// deferred triggers of the same transaction leave it.
func bumpFiguresVersion(tx *gorm.DB) error {
	bump := "UPDATE figures_version SET version = version + 1 WHERE id = 1"
	if store.DialectOf(tx) == store.Postgres {
		bump = "UPDATE figures_version SET version = version + 1, bumped_by = txid_current() WHERE id = 1 AND bumped_by IS DISTINCT FROM txid_current()"
	}
	return tx.Exec(bump).Error
}

// figuresVersion is the version of the figures now.
func figuresVersion(db *gorm.DB) (int64, error) {
	var v int64
	if err := db.Raw("SELECT version FROM figures_version WHERE id = 1").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("figures: %w", err)
	}
	return v, nil
}

// clearFigures removes the roll-up rows of sessions and returns the months
// (of their end, in loc) whose attendee counts must be worked out again.
func clearFigures(tx *gorm.DB, ids []int64, loc *time.Location) (map[string]bool, error) {
	months := map[string]bool{}
	var ends []time.Time
	if err := tx.Table("session_figures").Where("session_id IN ?", ids).Pluck("ends_at", &ends).Error; err != nil {
		return nil, err
	}
	for _, t := range ends {
		months[t.In(loc).Format("2006-01")] = true
	}
	for _, table := range []string{"session_stats", "session_attendees", "session_figures", "feedback_prefixes"} {
		if err := tx.Exec("DELETE FROM "+table+" WHERE session_id IN ?", ids).Error; err != nil {
			return nil, err
		}
	}
	return months, nil
}

// refreshMonths works out again attendee_months for the given months (of
// session ends, in loc) from session_attendees. On PostgreSQL a lock per
// month makes instances that refresh sessions of the same month take turns,
// so each counts the others' committed attendees.
func refreshMonths(tx *gorm.DB, months map[string]bool, loc *time.Location) error {
	keys := make([]string, 0, len(months))
	for m := range months {
		keys = append(keys, m)
	}
	sort.Strings(keys) // one order, no deadlock
	for _, m := range keys {
		start, err := time.ParseInLocation("2006-01", m, loc)
		if err != nil {
			return err
		}
		if store.DialectOf(tx) == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7472002, ?)", start.Year()*100+int(start.Month())).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("DELETE FROM attendee_months WHERE month = ?", m).Error; err != nil {
			return err
		}
		err = tx.Exec(`INSERT INTO attendee_months (month, user_id, year_of_study, mode, sessions)
SELECT ?, user_id, year_of_study, mode, COUNT(*) FROM session_attendees WHERE ends_at >= ? AND ends_at < ?
GROUP BY user_id, year_of_study, mode`, m, start.UTC(), start.AddDate(0, 1, 0).UTC()).Error
		if err != nil {
			return err
		}
	}
	return refreshYears(tx, keys)
}

// refreshYears works out again attendee_years for the calendar years of the
// given months (2006-01, in order) from attendee_months. On PostgreSQL a
// lock per year, taken after those of the months, makes instances take
// turns: the last to rewrite a year reads every month committed before.
func refreshYears(tx *gorm.DB, months []string) error {
	var years []int
	for _, m := range months {
		y, err := strconv.Atoi(m[:4])
		if err != nil {
			return err
		}
		if len(years) == 0 || years[len(years)-1] != y {
			years = append(years, y)
		}
	}
	for _, y := range years {
		if store.DialectOf(tx) == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7472003, ?)", y).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("DELETE FROM attendee_years WHERE year = ?", y).Error; err != nil {
			return err
		}
		// The sum of the different powers of two is their bitwise OR,
		// which PostgreSQL has as an aggregate of its own (hashed, where
		// the DISTINCT sorts every row of the year).
		months := "SUM(DISTINCT 1 << (CAST(SUBSTR(month, 6, 2) AS INTEGER) - 1))"
		if store.DialectOf(tx) == store.Postgres {
			months = "BIT_OR(1 << (CAST(SUBSTR(month, 6, 2) AS INTEGER) - 1))"
		}
		err := tx.Exec(`INSERT INTO attendee_years (year, user_id, months)
SELECT CAST(? AS INTEGER), user_id, `+months+` FROM attendee_months
WHERE month >= ? AND month < ? GROUP BY user_id`, y, fmt.Sprintf("%04d-01", y), fmt.Sprintf("%04d-01", y+1)).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// yearHistories reads the year-of-study history of members, oldest first.
func yearHistories(tx *gorm.DB, userIDs []int64) (map[int64][]YearRecord, error) {
	out := make(map[int64][]YearRecord, len(userIDs))
	for start := 0; start < len(userIDs); start += 500 {
		end := min(start+500, len(userIDs))
		rows, err := tx.Table("year_history").Select("id, user_id, year_of_study, valid_from").
			Where("user_id IN ?", userIDs[start:end]).Order("user_id, valid_from, id").Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r YearRecord
			var year sql.NullInt64
			if err := rows.Scan(&r.ID, &r.UserID, &year, &r.ValidFrom); err != nil {
				rows.Close()
				return nil, err
			}
			if year.Valid {
				y := int(year.Int64)
				r.YearOfStudy = &y
			}
			r.ValidFrom = r.ValidFrom.UTC()
			out[r.UserID] = append(out[r.UserID], r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// yearAt is a member's year of study at t from their history (oldest
// first): the newest record at or before t, or the earliest record for
// earlier times (a session back-filled from before they joined). 0 stands
// for a graduate or an unknown year.
func yearAt(history []YearRecord, t time.Time) int {
	y := 0
	for i, r := range history {
		if i > 0 && r.ValidFrom.After(t) {
			break
		}
		y = 0
		if r.YearOfStudy != nil {
			y = *r.YearOfStudy
		}
	}
	return y
}

// attendeeMode is the mode a student is counted in: their seat's; for a
// walk-in, how they came; for the waitlist, the seat they queued for.
func attendeeMode(bookingMode Mode, confirmed bool, attendanceMode Mode, came bool, sessionMode Mode) Mode {
	mode := bookingMode
	if !confirmed && (came || mode == "") {
		mode = attendanceMode
	}
	if mode == "" {
		mode = bookingMode
	}
	if mode == "" {
		mode = ModeInPerson
		if sessionMode == ModeOnline {
			mode = ModeOnline
		}
	}
	return mode
}

// figureSessions replaces the roll-up rows of sessions; drafts and
// cancelled sessions (which did not run) get none.
func figureSessions(tx *gorm.DB, ids []int64, loc *time.Location) error {
	months, err := clearFigures(tx, ids, loc)
	if err != nil {
		return err
	}
	var sessions []struct {
		ID               int64
		Topic            string
		Format           Format
		Mode             Mode
		StartsAt, EndsAt time.Time
	}
	if err := tx.Table("sessions").Select("id, topic, format, mode, starts_at, ends_at").
		Where("id IN ? AND status = ?", ids, SessionPublished).Order("id").Scan(&sessions).Error; err != nil {
		return err
	}
	if len(sessions) == 0 {
		return refreshMonths(tx, months, loc)
	}
	run := make([]int64, len(sessions))
	for i, s := range sessions {
		run[i] = s.ID
	}
	type person struct {
		bookingMode             Mode
		bookingStatus           BookingStatus
		attendanceMode          Mode
		came                    bool
		status                  AttendanceStatus
		feedback                bool
		overall, teaching, gain int
	}
	people := map[int64]map[int64]*person{} // session → user → what they did
	who := func(session, user int64) *person {
		m := people[session]
		if m == nil {
			m = map[int64]*person{}
			people[session] = m
		}
		if m[user] == nil {
			m[user] = &person{}
		}
		return m[user]
	}
	// Read with plain scans: a batch holds tens of thousands of records.
	scan := func(q *gorm.DB, each func(r *sql.Rows) error) error {
		rows, err := q.Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	var sid, uid int64
	var mode Mode
	var status string
	err = scan(tx.Table("bookings").Select("session_id, user_id, mode, status").Where("session_id IN ? AND status <> ?", run, BookingCancelled),
		func(r *sql.Rows) error {
			if err := r.Scan(&sid, &uid, &mode, &status); err != nil {
				return err
			}
			p := who(sid, uid)
			p.bookingMode, p.bookingStatus = mode, BookingStatus(status)
			return nil
		})
	if err != nil {
		return err
	}
	err = scan(tx.Table("attendance").Select("session_id, user_id, mode, status").Where("session_id IN ?", run),
		func(r *sql.Rows) error {
			if err := r.Scan(&sid, &uid, &mode, &status); err != nil {
				return err
			}
			p := who(sid, uid)
			p.attendanceMode = mode
			p.status = AttendanceStatus(status)
			p.came = p.status == AttendancePresent || p.status == AttendanceLate
			return nil
		})
	if err != nil {
		return err
	}
	answered := map[int64][]*person{} // session → its answers, in the order they arrived
	err = scan(tx.Table("feedback").Select("session_id, user_id, overall, teaching, confidence_after - confidence_before").Where("session_id IN ?", run).Order("session_id, id"),
		func(r *sql.Rows) error {
			var overall, teaching, gain int
			if err := r.Scan(&sid, &uid, &overall, &teaching, &gain); err != nil {
				return err
			}
			p := who(sid, uid)
			p.feedback, p.overall, p.teaching, p.gain = true, overall, teaching, gain
			answered[sid] = append(answered[sid], p)
			return nil
		})
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	var users []int64
	for _, m := range people {
		for u := range m {
			if !seen[u] {
				seen[u] = true
				users = append(users, u)
			}
		}
	}
	sort.Slice(users, func(i, j int) bool { return users[i] < users[j] })
	history, err := yearHistories(tx, users)
	if err != nil {
		return err
	}

	var figures, stats, attendees, prefixes [][]any
	for _, s := range sessions {
		var o, t, g int
		for i, p := range answered[s.ID] {
			o, t, g = o+p.overall, t+p.teaching, g+p.gain
			prefixes = append(prefixes, []any{s.ID, i + 1, o, t, g})
		}
		start, end := s.StartsAt.UTC(), s.EndsAt.UTC()
		week, month := WeekOf(start, loc), start.In(loc).Format("2006-01")
		cells := map[string]*statsCell{}
		cell := func(year int, mode Mode) *statsCell {
			k := strconv.Itoa(year) + string(mode)
			if cells[k] == nil {
				cells[k] = &statsCell{year: year, mode: mode}
			}
			return cells[k]
		}
		var sum statsCell
		ids := make([]int64, 0, len(people[s.ID]))
		for u := range people[s.ID] {
			ids = append(ids, u)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, u := range ids {
			p := people[s.ID][u]
			year := yearAt(history[u], start)
			confirmed := p.bookingStatus == BookingConfirmed
			mode := attendeeMode(p.bookingMode, confirmed, p.attendanceMode, p.came, s.Mode)
			c := cell(year, mode)
			switch PlaceOnRegister(p.bookingStatus, p.status) {
			case PlaceBooked:
				c.booked++
				sum.booked++
				if p.came {
					c.attended++
					sum.attended++
				}
			case PlaceWalkIn: // no booking, or a waitlisted one, and came anyway
				c.walkIns++
				sum.walkIns++
			case PlaceWaitlisted:
				c.waitlisted++ // wanted a seat and never had one
				sum.waitlisted++
			}
			if p.came {
				attendees = append(attendees, []any{s.ID, u, end, year, mode})
			}
			if p.feedback {
				c.responses++
				c.overall += p.overall
				c.teaching += p.teaching
				c.gainSum += p.gain
				sum.responses++
				sum.overall += p.overall
				sum.teaching += p.teaching
				sum.gainSum += p.gain
			}
		}
		figures = append(figures, []any{s.ID, end, week, month, s.Topic, s.Format, s.Mode,
			sum.booked, sum.attended, sum.walkIns, sum.waitlisted, sum.responses, sum.overall, sum.teaching, sum.gainSum})
		keys := make([]string, 0, len(cells))
		for k := range cells {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := cells[k]
			if c.booked+c.walkIns+c.waitlisted+c.responses == 0 {
				continue // an absent or excused walk-in: nothing to count
			}
			stats = append(stats, []any{s.ID, c.year, c.mode, end, week, month, s.Topic, s.Format,
				c.booked, c.attended, c.walkIns, c.waitlisted, c.responses, c.overall, c.teaching, c.gainSum})
		}
	}
	if err := insertRows(tx, "session_figures", []string{"session_id", "ends_at", "week", "month", "topic", "format", "mode",
		"booked", "attended", "walk_ins", "waitlisted", "responses", "overall_sum", "teaching_sum", "gain_sum"}, figures); err != nil {
		return err
	}
	if err := insertRows(tx, "session_stats", []string{"session_id", "year_of_study", "mode", "ends_at", "week", "month", "topic", "format",
		"booked", "attended", "walk_ins", "waitlisted", "responses", "overall_sum", "teaching_sum", "gain_sum"}, stats); err != nil {
		return err
	}
	if err := insertRows(tx, "session_attendees", []string{"session_id", "user_id", "ends_at", "year_of_study", "mode"}, attendees); err != nil {
		return err
	}
	if err := insertRows(tx, "feedback_prefixes", []string{"session_id", "answers", "overall_sum", "teaching_sum", "gain_sum"}, prefixes); err != nil {
		return err
	}
	for _, s := range sessions {
		months[s.EndsAt.In(loc).Format("2006-01")] = true
	}
	return refreshMonths(tx, months, loc)
}

// insertRows writes rows into table with multi-row INSERTs, each well
// within both databases' limit on bound parameters.
func insertRows(tx *gorm.DB, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	// Straight to the connection: GORM would rebuild (and, when slow, log)
	// statements of thousands of parameters.
	pg := store.DialectOf(tx) == store.Postgres
	ctx := tx.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	per := max(1, 2000/len(cols))
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for len(rows) > 0 {
		n := min(len(rows), per)
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				if pg {
					b.WriteString("$" + strconv.Itoa(len(args)+j+1))
				} else {
					b.WriteByte('?')
				}
			}
			b.WriteByte(')')
			args = append(args, r...)
		}
		if _, err := tx.Statement.ConnPool.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// Ways to group attendance figures.
var StatsGroupings = []string{"year_of_study", "mode", "topic", "format", "teacher", "week", "month", "series"}

// GroupByMessage names StatsGroupings as a person reads them, for a group_by
// that is none of them.
const GroupByMessage = "Choose how to group the figures: by year of study, mode, topic, format, teacher, week, month or series."

// StatsFilter chooses the records the figures cover: sessions that ended
// within [From, To), optionally one year of study (as it was at the
// session), one attendee mode or one topic.
type StatsFilter struct {
	From, To    time.Time
	YearOfStudy *int // 0: graduates and unknown
	Mode        Mode
	Topic       string
}

// Check tells what is wrong with the filter, as field errors.
func (f StatsFilter) Check() error {
	p := Problems{}
	if !f.To.After(f.From) {
		p.Add("to", "Choose an end after the start.")
	}
	if f.Mode != "" && f.Mode != ModeInPerson && f.Mode != ModeOnline {
		p.Add("mode", ChooseMessage(ModeInPerson, ModeOnline))
	}
	if f.YearOfStudy != nil && (*f.YearOfStudy < 0 || *f.YearOfStudy > 6) {
		p.Add("year_of_study", "Choose a year from 1 to 6, or graduate.")
	}
	if len(f.Topic) > 200 {
		p.Add("topic", "Choose a topic of up to 200 characters.")
	}
	return p.Err()
}

// bySession tells whether the filter picks whole sessions (a period and a
// topic) rather than some of their attendees (a year of study or a mode).
func (f StatsFilter) bySession() bool { return f.YearOfStudy == nil && f.Mode == "" }

// StatsRow is one line of a breakdown, with the definitions of API.md:
// Booked counts confirmed, not cancelled bookings; Attended those booked who
// were present or late; NoShows = Booked − Attended; WalkIns present or late
// without a (confirmed) booking; Rate = Attended / Booked (nil when nothing
// was booked).
type StatsRow struct {
	Key      string   `json:"key"`
	Label    string   `json:"label,omitempty"`
	Sessions int      `json:"sessions"`
	Booked   int      `json:"booked"`
	Attended int      `json:"attended"`
	NoShows  int      `json:"no_shows"`
	WalkIns  int      `json:"walk_ins"`
	Rate     *float64 `json:"rate"`
}

// Came is everyone who came: attended and walk-ins.
func (r StatsRow) Came() int { return r.Attended + r.WalkIns }

func (r *StatsRow) finish() {
	r.NoShows = r.Booked - r.Attended
	r.Rate = ratio(r.Attended, r.Booked)
}

// ratio is n/d rounded to four places, nil when d is 0.
func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := roundTo(float64(n)/float64(d), 4)
	return &v
}

// roundTo rounds v half away from zero to places decimals.
func roundTo(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}

// AttendanceReport is a breakdown with its totals.
type AttendanceReport struct {
	GroupBy string     `json:"group_by"`
	From    time.Time  `json:"from"`
	To      time.Time  `json:"to"`
	Rows    []StatsRow `json:"rows"`
	Totals  StatsRow   `json:"totals"`
}

// apply limits a query on session_stats (aliased as table) to the filter.
func (f StatsFilter) apply(q *gorm.DB, table string) *gorm.DB {
	q = q.Where(table+".ends_at >= ? AND "+table+".ends_at < ?", f.From.UTC(), f.To.UTC())
	if f.YearOfStudy != nil {
		q = q.Where(table+".year_of_study = ?", *f.YearOfStudy)
	}
	if f.Mode != "" {
		q = q.Where(table+".mode = ?", f.Mode)
	}
	return f.applyTopic(q, table)
}

// applyTopic limits a query on a roll-up table with a topic column
// (session_stats or session_figures, aliased as table) to the filter's topic.
func (f StatsFilter) applyTopic(q *gorm.DB, table string) *gorm.DB {
	if f.Topic == "" {
		return q
	}
	return q.Where("LOWER("+table+".topic) = ?", strings.ToLower(f.Topic))
}

// sessionsWithPeople counts, over session_stats rows (ss), the sessions
// with a booking or a walk-in among them.
const sessionsWithPeople = "COUNT(DISTINCT CASE WHEN ss.booked + ss.walk_ins > 0 THEN ss.session_id END)"

// statsKeys are the grouping expressions of StatsGroupings over session_stats
// (ss) and session_teachers (st).
var statsKeys = map[string]string{"year_of_study": "ss.year_of_study", "mode": "ss.mode", "topic": "ss.topic",
	"format": "ss.format", "week": "ss.week", "month": "ss.month", "teacher": "st.user_id",
	"series": "COALESCE(sx.series_id, 0)"}

// AttendanceBreakdown groups the figures of f by one of StatsGroupings. It
// first brings the roll-ups up to date.
func AttendanceBreakdown(ctx context.Context, st *store.Store, f StatsFilter, groupBy string, now time.Time, loc *time.Location) (AttendanceReport, error) {
	db := st.Read(ctx)
	rep := AttendanceReport{GroupBy: groupBy, From: f.From.UTC(), To: f.To.UTC(), Rows: []StatsRow{}}
	p := Problems{}
	if statsKeys[groupBy] == "" {
		p.Add("group_by", GroupByMessage)
	}
	if err := f.Check(); err != nil {
		for k, v := range err.(*ValidationError).Fields {
			p.Add(k, v)
		}
	}
	if err := p.Err(); err != nil {
		return rep, err
	}
	if _, err := RefreshFigures(ctx, st, now, loc); err != nil {
		return rep, err
	}
	return attendanceBreakdown(db, f, groupBy)
}

// attendanceBreakdown is AttendanceBreakdown on up-to-date roll-ups and a
// checked filter.
func attendanceBreakdown(db *gorm.DB, f StatsFilter, groupBy string) (AttendanceReport, error) {
	rep := AttendanceReport{GroupBy: groupBy, From: f.From.UTC(), To: f.To.UTC(), Rows: []StatsRow{}}
	keyExpr := statsKeys[groupBy]
	var raw []struct {
		Key      string
		Label    string
		Sessions int
		Booked   int
		Attended int
		WalkIns  int
	}
	// Teachers are named in the same query.
	label, users := "", ""
	if groupBy == "teacher" {
		label, users = ", MAX(u.name) AS label", " JOIN users u ON u.id = st.user_id"
	}
	if groupBy == "series" { // named in the same query too: teacherJoin joins sx and sr
		label = ", COALESCE(MAX(sr.title), '') AS label"
	}
	if f.bySession() && groupBy != "year_of_study" && groupBy != "mode" {
		// Grouped by a property of the session: every session that ran
		// counts, with or without bookings; each one's totals are in
		// session_figures.
		key := strings.Replace(keyExpr, "ss.", "sf.", 1)
		err := db.Raw(`SELECT `+key+` AS key, COUNT(*) AS sessions, SUM(sf.booked) AS booked, SUM(sf.attended) AS attended, SUM(sf.walk_ins) AS walk_ins`+label+`
FROM session_figures sf`+teacherJoin(groupBy, "sf")+users+`
WHERE sf.ends_at >= ? AND sf.ends_at < ?`+topicCond(f, "sf")+` GROUP BY `+key,
			append([]any{f.From.UTC(), f.To.UTC()}, topicArgs(f)...)...).Scan(&raw).Error
		if err != nil {
			return rep, fmt.Errorf("figures: %w", err)
		}
	} else {
		q := db.Table("session_stats ss")
		if groupBy == "teacher" {
			q = q.Joins("JOIN session_teachers st ON st.session_id = ss.session_id" + users)
		}
		if groupBy == "series" {
			q = q.Joins(teacherJoin(groupBy, "ss"))
		}
		err := f.apply(q, "ss").Select(keyExpr + " AS key, " + sessionsWithPeople + " AS sessions, SUM(ss.booked) AS booked, SUM(ss.attended) AS attended, SUM(ss.walk_ins) AS walk_ins" + label).
			Group(keyExpr).Scan(&raw).Error
		if err != nil {
			return rep, fmt.Errorf("figures: %w", err)
		}
	}
	for _, r := range raw {
		if r.Sessions == 0 {
			continue // only an unserved waitlist or feedback
		}
		rep.Rows = append(rep.Rows, StatsRow{Key: r.Key, Label: r.Label, Sessions: r.Sessions, Booked: r.Booked, Attended: r.Attended, WalkIns: r.WalkIns})
	}
	for i := range rep.Rows {
		rep.Rows[i].finish()
		if groupBy != "teacher" && (groupBy != "series" || rep.Rows[i].Key == "0") {
			rep.Rows[i].Label = StatsKeyLabel(groupBy, rep.Rows[i].Key)
		}
	}
	sortStatsRows(groupBy, rep.Rows)
	// Every session_stats row falls in exactly one group but by teacher, so
	// the rows add up to the totals; only the sessions may need counting.
	if groupBy == "teacher" || (!f.bySession() && (groupBy == "year_of_study" || groupBy == "mode")) {
		tot, err := statsTotals(db, f)
		if err != nil {
			return rep, err
		}
		rep.Totals = tot
		return rep, nil
	}
	tot := StatsRow{Key: "total", Label: "Total"}
	for _, r := range rep.Rows {
		tot.Sessions += r.Sessions
		tot.Booked += r.Booked
		tot.Attended += r.Attended
		tot.WalkIns += r.WalkIns
	}
	if groupBy == "year_of_study" || groupBy == "mode" {
		n, err := sessionsRun(db, f)
		if err != nil {
			return rep, err
		}
		tot.Sessions = n
	}
	tot.finish()
	rep.Totals = tot
	return rep, nil
}

// StatsKeyLabel names a breakdown key for people: "Year 2", "In person",
// "Small group", "w/c 3 Nov 2026", "November 2026".
func StatsKeyLabel(groupBy, key string) string {
	switch groupBy {
	case "year_of_study":
		if key == "0" {
			return "Graduate or unknown"
		}
		return "Year " + key
	case "mode":
		return Mode(key).Label()
	case "format":
		return Format(key).Label()
	case "week":
		if t, err := time.Parse("2006-01-02", key); err == nil {
			return "w/c " + t.Format("2 Jan 2006")
		}
	case "month":
		if t, err := time.Parse("2006-01", key); err == nil {
			return t.Format("January 2006")
		}
	case "topic":
		if key == "" {
			return "No topic"
		}
	case "series":
		if key == "0" {
			return "Not in a series"
		}
	}
	return key
}

func sortStatsRows(groupBy string, rows []StatsRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch groupBy {
		case "year_of_study":
			x, _ := strconv.Atoi(a.Key)
			y, _ := strconv.Atoi(b.Key)
			if x == 0 || y == 0 { // graduates last
				return y == 0 && x != 0
			}
			return x < y
		case "topic", "format", "mode":
			if x, y := strings.ToLower(a.Key), strings.ToLower(b.Key); x != y {
				return x < y
			}
		case "series":
			if a.Key == "0" || b.Key == "0" { // sessions of no series last
				return b.Key == "0" && a.Key != "0"
			}
			fallthrough
		case "teacher":
			if x, y := strings.ToLower(a.Label), strings.ToLower(b.Label); x != y {
				return x < y
			}
			x, _ := strconv.ParseInt(a.Key, 10, 64)
			y, _ := strconv.ParseInt(b.Key, 10, 64)
			return x < y
		}
		return a.Key < b.Key
	})
}

// teacherJoin joins the teachers of the sessions of table, for the
// breakdown by teacher.
func teacherJoin(groupBy, table string) string {
	switch groupBy {
	case "teacher":
		return " JOIN session_teachers st ON st.session_id = " + table + ".session_id"
	case "series":
		return " JOIN sessions sx ON sx.id = " + table + ".session_id LEFT JOIN series sr ON sr.id = sx.series_id"
	}
	return ""
}

func topicCond(f StatsFilter, table string) string {
	if f.Topic == "" {
		return ""
	}
	return " AND LOWER(" + table + ".topic) = ?"
}

func topicArgs(f StatsFilter) []any {
	if f.Topic == "" {
		return nil
	}
	return []any{strings.ToLower(f.Topic)}
}

// statsTotals sums the filter's figures over everything, each session once.
func statsTotals(db *gorm.DB, f StatsFilter) (StatsRow, error) {
	var t struct {
		Sessions, Booked, Attended, WalkIns int
	}
	var err error
	if f.bySession() {
		// Every session that ran, whoever came.
		err = db.Raw(`SELECT COUNT(*) AS sessions, COALESCE(SUM(sf.booked), 0) AS booked, COALESCE(SUM(sf.attended), 0) AS attended,
 COALESCE(SUM(sf.walk_ins), 0) AS walk_ins FROM session_figures sf WHERE sf.ends_at >= ? AND sf.ends_at < ?`+topicCond(f, "sf"),
			append([]any{f.From.UTC(), f.To.UTC()}, topicArgs(f)...)...).Scan(&t).Error
	} else {
		err = f.apply(db.Table("session_stats ss"), "ss").
			Select(sessionsWithPeople + " AS sessions, COALESCE(SUM(ss.booked), 0) AS booked, COALESCE(SUM(ss.attended), 0) AS attended, COALESCE(SUM(ss.walk_ins), 0) AS walk_ins").
			Scan(&t).Error
	}
	if err != nil {
		return StatsRow{}, fmt.Errorf("figures: %w", err)
	}
	row := StatsRow{Key: "total", Label: "Total", Sessions: t.Sessions, Booked: t.Booked, Attended: t.Attended, WalkIns: t.WalkIns}
	row.finish()
	return row, nil
}

// sessionsRun counts the sessions that ran in the filter's period (and
// topic), whoever came.
func sessionsRun(db *gorm.DB, f StatsFilter) (int, error) {
	q := f.applyTopic(db.Table("session_figures ss").Where("ss.ends_at >= ? AND ss.ends_at < ?", f.From.UTC(), f.To.UTC()), "ss")
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("figures: %w", err)
	}
	return int(n), nil
}
