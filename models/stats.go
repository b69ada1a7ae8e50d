package models

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The dashboard reads roll-ups, not the raw tables: one session_figures row
// per ended session and session_stats rows by year of study and mode. A
// change to a session, its bookings, attendance or feedback marks it in
// stats_dirty (markFiguresStale, in the same transaction); RefreshFigures
// works out again the marked sessions that have ended, before figures are
// read and from a scheduled job. So figures are always current and reading
// them never scans the raw records.

// markFiguresStale notes that a session's figures must be worked out again.
func markFiguresStale(tx *gorm.DB, sessionID int64) error {
	return tx.Exec("INSERT INTO stats_dirty (session_id) VALUES (?) ON CONFLICT (session_id) DO NOTHING", sessionID).Error
}

// sessionStatsRow is one row of session_stats.
type sessionStatsRow struct {
	SessionID   int64
	YearOfStudy int
	Mode        string
	EndsAt      time.Time
	Week        string
	Month       string
	Topic       string
	Format      string
	Booked      int
	Attended    int
	WalkIns     int
}

func (sessionStatsRow) TableName() string { return "session_stats" }

// sessionFigures is one row of session_figures.
type sessionFigures struct {
	SessionID   int64 `gorm:"primaryKey"`
	EndsAt      time.Time
	Week        string
	Month       string
	Topic       string
	Format      string
	Mode        string
	Waitlisted  int
	Responses   int
	OverallSum  int
	TeachingSum int
	GainSum     int
}

func (sessionFigures) TableName() string { return "session_figures" }

// WeekOf is the Monday that starts t's week in loc, as 2006-01-02.
func WeekOf(t time.Time, loc *time.Location) string {
	d := t.In(loc)
	offset := (int(d.Weekday()) + 6) % 7
	return time.Date(d.Year(), d.Month(), d.Day()-offset, 0, 0, 0, 0, loc).Format("2006-01-02")
}

// RefreshFigures works out again the figures of every marked session that
// has ended by now; it returns how many. Several instances may run it at
// once: each marked session is taken by one of them.
func RefreshFigures(db *gorm.DB, now time.Time, loc *time.Location) (int, error) {
	var ids []int64
	err := db.Raw(`SELECT d.session_id FROM stats_dirty d JOIN sessions s ON s.id = d.session_id
WHERE s.ends_at <= ? ORDER BY d.session_id`, now.UTC()).Scan(&ids).Error
	if err != nil {
		return 0, fmt.Errorf("figures: %w", err)
	}
	// Marks of deleted sessions.
	if err := db.Exec("DELETE FROM stats_dirty WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = stats_dirty.session_id)").Error; err != nil {
		return 0, fmt.Errorf("figures: %w", err)
	}
	done := 0
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 200)]
		ids = ids[len(batch):]
		err := db.Transaction(func(tx *gorm.DB) error {
			var mine []int64
			q := tx.Table("stats_dirty").Where("session_id IN ?", batch)
			if DialectOf(tx) == Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
			}
			if err := q.Pluck("session_id", &mine).Error; err != nil {
				return err
			}
			for _, id := range mine {
				if err := figureSession(tx, id, loc); err != nil {
					return fmt.Errorf("session %d: %w", id, err)
				}
			}
			if len(mine) > 0 {
				if err := tx.Exec("DELETE FROM stats_dirty WHERE session_id IN ?", mine).Error; err != nil {
					return err
				}
			}
			done += len(mine)
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("figures: %w", err)
		}
	}
	return done, nil
}

// yearsAt resolves each member's year of study at t from the history: the
// newest record at or before t, or the earliest record for earlier times.
// 0 stands for a graduate or an unknown year.
func yearsAt(tx *gorm.DB, userIDs []int64, t time.Time) (map[int64]int, error) {
	out := make(map[int64]int, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	var recs []YearRecord
	for start := 0; start < len(userIDs); start += 500 {
		var part []YearRecord
		end := min(start+500, len(userIDs))
		if err := tx.Where("user_id IN ?", userIDs[start:end]).Order("user_id, valid_from, id").Find(&part).Error; err != nil {
			return nil, err
		}
		recs = append(recs, part...)
	}
	earliest := map[int64]bool{}
	for _, r := range recs {
		y := 0
		if r.YearOfStudy != nil {
			y = *r.YearOfStudy
		}
		if !earliest[r.UserID] {
			earliest[r.UserID] = true
			out[r.UserID] = y // until a record at or before t says otherwise
			continue
		}
		if !r.ValidFrom.After(t) {
			out[r.UserID] = y
		}
	}
	return out, nil
}

// figureSession replaces one session's roll-up rows.
func figureSession(tx *gorm.DB, id int64, loc *time.Location) error {
	if err := tx.Exec("DELETE FROM session_stats WHERE session_id = ?", id).Error; err != nil {
		return err
	}
	if err := tx.Exec("DELETE FROM session_figures WHERE session_id = ?", id).Error; err != nil {
		return err
	}
	var s Session
	if err := tx.Take(&s, id).Error; err != nil {
		return notFound(err)
	}
	if s.Status != SessionPublished {
		return nil // drafts and cancelled sessions did not run
	}
	var bookings []struct {
		UserID int64
		Mode   string
		Status string
	}
	if err := tx.Table("bookings").Select("user_id, mode, status").Where("session_id = ? AND status <> ?", id, BookingCancelled).
		Scan(&bookings).Error; err != nil {
		return err
	}
	var records []struct {
		UserID int64
		Mode   string
		Status string
	}
	if err := tx.Table("attendance").Select("user_id, mode, status").Where("session_id = ?", id).Scan(&records).Error; err != nil {
		return err
	}
	var fb struct {
		N, Overall, Teaching, Gain int
	}
	if err := tx.Raw(`SELECT COUNT(*) AS n, COALESCE(SUM(overall), 0) AS overall, COALESCE(SUM(teaching), 0) AS teaching,
COALESCE(SUM(confidence_after - confidence_before), 0) AS gain FROM feedback WHERE session_id = ?`, id).Scan(&fb).Error; err != nil {
		return err
	}
	var users []int64
	for _, b := range bookings {
		users = append(users, b.UserID)
	}
	for _, r := range records {
		users = append(users, r.UserID)
	}
	years, err := yearsAt(tx, users, s.StartsAt)
	if err != nil {
		return err
	}
	week, month := WeekOf(s.StartsAt, loc), s.StartsAt.In(loc).Format("2006-01")
	type key struct {
		year int
		mode string
	}
	rows := map[key]*sessionStatsRow{}
	row := func(user int64, mode string) *sessionStatsRow {
		k := key{years[user], mode}
		if rows[k] == nil {
			rows[k] = &sessionStatsRow{SessionID: id, YearOfStudy: k.year, Mode: mode, EndsAt: s.EndsAt, Week: week, Month: month, Topic: s.Topic, Format: s.Format}
		}
		return rows[k]
	}
	came := map[int64]bool{}
	for _, r := range records {
		came[r.UserID] = r.Status == AttendancePresent || r.Status == AttendanceLate
	}
	confirmed := map[int64]bool{}
	waitlisted := 0
	for _, b := range bookings {
		if b.Status == BookingWaitlisted {
			waitlisted++
			continue
		}
		confirmed[b.UserID] = true
		r := row(b.UserID, b.Mode)
		r.Booked++
		if came[b.UserID] {
			r.Attended++
		}
	}
	for _, r := range records {
		if came[r.UserID] && !confirmed[r.UserID] {
			row(r.UserID, r.Mode).WalkIns++
		}
	}
	f := sessionFigures{SessionID: id, EndsAt: s.EndsAt, Week: week, Month: month, Topic: s.Topic, Format: s.Format, Mode: s.Mode,
		Waitlisted: waitlisted, Responses: fb.N, OverallSum: fb.Overall, TeachingSum: fb.Teaching, GainSum: fb.Gain}
	if err := tx.Create(&f).Error; err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	list := make([]sessionStatsRow, 0, len(rows))
	for _, r := range rows {
		list = append(list, *r)
	}
	return tx.Create(&list).Error
}

// Ways to group attendance figures.
var StatsGroupings = []string{"year_of_study", "mode", "topic", "format", "teacher", "week", "month"}

// StatsFilter chooses the records the figures cover: sessions that ended
// within [From, To), optionally one year of study, mode or topic.
type StatsFilter struct {
	From, To    time.Time
	YearOfStudy *int // 0: graduates and unknown
	Mode        string
	Topic       string
}

// StatsRow is one line of a breakdown, with the definitions of API.md:
// Booked counts confirmed, not cancelled bookings; Attended those booked who
// were present or late; NoShows = Booked − Attended; WalkIns present or late
// without a booking; Rate = Attended / Booked (nil when nothing was booked).
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

func (r *StatsRow) finish() {
	r.NoShows = r.Booked - r.Attended
	if r.Booked > 0 {
		rate := float64(r.Attended) / float64(r.Booked)
		rate = float64(int(rate*10000+0.5)) / 10000
		r.Rate = &rate
	} else {
		r.Rate = nil
	}
}

// AttendanceReport is a breakdown with its totals.
type AttendanceReport struct {
	GroupBy string     `json:"group_by"`
	From    time.Time  `json:"from"`
	To      time.Time  `json:"to"`
	Rows    []StatsRow `json:"rows"`
	Totals  StatsRow   `json:"totals"`
}

func (f StatsFilter) apply(q *gorm.DB, table string) *gorm.DB {
	q = q.Where(table+".ends_at >= ? AND "+table+".ends_at < ?", f.From.UTC(), f.To.UTC())
	if f.YearOfStudy != nil {
		q = q.Where(table+".year_of_study = ?", *f.YearOfStudy)
	}
	if f.Mode != "" {
		q = q.Where(table+".mode = ?", f.Mode)
	}
	if f.Topic != "" {
		q = q.Where("LOWER("+table+".topic) = ?", strings.ToLower(f.Topic))
	}
	return q
}

// AttendanceBreakdown groups the figures of f by one of StatsGroupings. It
// first brings the roll-ups up to date.
func AttendanceBreakdown(db *gorm.DB, f StatsFilter, groupBy string, now time.Time, loc *time.Location) (AttendanceReport, error) {
	rep := AttendanceReport{GroupBy: groupBy, From: f.From.UTC(), To: f.To.UTC(), Rows: []StatsRow{}}
	p := Problems{}
	keyExpr := map[string]string{"year_of_study": "ss.year_of_study", "mode": "ss.mode", "topic": "ss.topic",
		"format": "ss.format", "week": "ss.week", "month": "ss.month", "teacher": "st.user_id"}[groupBy]
	if keyExpr == "" {
		p.Add("group_by", "Choose one of "+strings.Join(StatsGroupings, ", ")+".")
	}
	if !f.To.After(f.From) {
		p.Add("to", "Choose an end after the start.")
	}
	if f.Mode != "" && f.Mode != ModeInPerson && f.Mode != ModeOnline {
		p.Add("mode", "Choose in_person or online.")
	}
	if f.YearOfStudy != nil && (*f.YearOfStudy < 0 || *f.YearOfStudy > 6) {
		p.Add("year_of_study", "Choose a year from 1 to 6, or graduate.")
	}
	if err := p.Err(); err != nil {
		return rep, err
	}
	if _, err := RefreshFigures(db, now, loc); err != nil {
		return rep, err
	}
	q := db.Table("session_stats ss")
	if groupBy == "teacher" {
		q = q.Joins("JOIN session_teachers st ON st.session_id = ss.session_id")
	}
	q = f.apply(q, "ss")
	var raw []struct {
		Key      string
		Sessions int
		Booked   int
		Attended int
		WalkIns  int
	}
	err := q.Select(keyExpr + " AS key, COUNT(DISTINCT ss.session_id) AS sessions, SUM(ss.booked) AS booked, SUM(ss.attended) AS attended, SUM(ss.walk_ins) AS walk_ins").
		Group(keyExpr).Scan(&raw).Error
	if err != nil {
		return rep, fmt.Errorf("figures: %w", err)
	}
	byKey := map[string]*StatsRow{}
	for _, r := range raw {
		row := StatsRow{Key: r.Key, Sessions: r.Sessions, Booked: r.Booked, Attended: r.Attended, WalkIns: r.WalkIns}
		rep.Rows = append(rep.Rows, row)
	}
	for i := range rep.Rows {
		byKey[rep.Rows[i].Key] = &rep.Rows[i]
	}
	// Grouped by a property of the session, a session with no bookings and
	// no attendance still counts as run.
	if f.YearOfStudy == nil && f.Mode == "" && groupBy != "year_of_study" && groupBy != "mode" {
		fq := db.Table("session_figures ss")
		if groupBy == "teacher" {
			fq = fq.Joins("JOIN session_teachers st ON st.session_id = ss.session_id")
		}
		fq = fq.Where("ss.ends_at >= ? AND ss.ends_at < ?", f.From.UTC(), f.To.UTC())
		if f.Topic != "" {
			fq = fq.Where("LOWER(ss.topic) = ?", strings.ToLower(f.Topic))
		}
		var counts []struct {
			Key      string
			Sessions int
		}
		if err := fq.Select(keyExpr + " AS key, COUNT(DISTINCT ss.session_id) AS sessions").Group(keyExpr).Scan(&counts).Error; err != nil {
			return rep, fmt.Errorf("figures: %w", err)
		}
		for _, c := range counts {
			if r, ok := byKey[c.Key]; ok {
				r.Sessions = c.Sessions
			} else {
				rep.Rows = append(rep.Rows, StatsRow{Key: c.Key, Sessions: c.Sessions})
			}
		}
	}
	if groupBy == "teacher" {
		if err := labelTeachers(db, rep.Rows); err != nil {
			return rep, err
		}
	}
	for i := range rep.Rows {
		rep.Rows[i].finish()
		if groupBy == "year_of_study" {
			rep.Rows[i].Label = yearKeyLabel(rep.Rows[i].Key)
		}
	}
	sortStatsRows(groupBy, rep.Rows)
	tot, err := statsTotals(db, f)
	if err != nil {
		return rep, err
	}
	rep.Totals = tot
	return rep, nil
}

func yearKeyLabel(k string) string {
	if k == "0" {
		return "Graduate or unknown"
	}
	return "Year " + k
}

func labelTeachers(db *gorm.DB, rows []StatsRow) error {
	var ids []int64
	for _, r := range rows {
		if id, err := strconv.ParseInt(r.Key, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var us []User
	if err := db.Select("id, name").Where("id IN ?", ids).Find(&us).Error; err != nil {
		return err
	}
	names := map[string]string{}
	for _, u := range us {
		names[strconv.FormatInt(u.ID, 10)] = u.Name
	}
	for i := range rows {
		rows[i].Label = names[rows[i].Key]
	}
	return nil
}

func sortStatsRows(groupBy string, rows []StatsRow) {
	sort.Slice(rows, func(i, j int) bool {
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
			return strings.ToLower(a.Key) < strings.ToLower(b.Key)
		case "teacher":
			if a.Label != b.Label {
				return strings.ToLower(a.Label) < strings.ToLower(b.Label)
			}
		}
		return a.Key < b.Key
	})
}

// statsTotals sums the filter's figures over everything, each session once.
func statsTotals(db *gorm.DB, f StatsFilter) (StatsRow, error) {
	var t struct {
		Sessions, Booked, Attended, WalkIns int
	}
	err := f.apply(db.Table("session_stats ss"), "ss").
		Select("COUNT(DISTINCT ss.session_id) AS sessions, COALESCE(SUM(ss.booked), 0) AS booked, COALESCE(SUM(ss.attended), 0) AS attended, COALESCE(SUM(ss.walk_ins), 0) AS walk_ins").
		Scan(&t).Error
	if err != nil {
		return StatsRow{}, fmt.Errorf("figures: %w", err)
	}
	row := StatsRow{Key: "total", Sessions: t.Sessions, Booked: t.Booked, Attended: t.Attended, WalkIns: t.WalkIns}
	if f.YearOfStudy == nil && f.Mode == "" {
		q := db.Table("session_figures ss").Where("ss.ends_at >= ? AND ss.ends_at < ?", f.From.UTC(), f.To.UTC())
		if f.Topic != "" {
			q = q.Where("LOWER(ss.topic) = ?", strings.ToLower(f.Topic))
		}
		var n int64
		if err := q.Count(&n).Error; err != nil {
			return row, err
		}
		row.Sessions = int(n)
	}
	row.finish()
	return row, nil
}
