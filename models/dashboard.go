package models

import (
	"context"
	"database/sql"
	"fmt"
	"rounds/models/store"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// The committee dashboard: headline figures, students reached by year of
// study, attendance by week and mode, and per-session figures, all read
// from the roll-ups of stats.go (see AttendanceBreakdown for the
// definitions). EachAttendanceRecord is the one reader of the raw records,
// for the committee's own exports.

// Headline is the dashboard's summary of a period.
type Headline struct {
	// Sessions counts the sessions that ran (ended, not cancelled); with a
	// year-of-study or mode filter, those with a booking or attendance of
	// that year or mode.
	Sessions int `json:"sessions"`
	// UniqueAttendees counts different students who came (present or late,
	// booked or not) at least once.
	UniqueAttendees int `json:"unique_attendees"`
	Booked          int `json:"booked"`
	Attended        int `json:"attended"`
	NoShows         int `json:"no_shows"`
	WalkIns         int `json:"walk_ins"`
	// Came is every attendance: Attended + WalkIns.
	Came int `json:"came"`
	// Online is the attendances in the online mode.
	Online int `json:"online"`
	// WaitlistUnserved counts waitlisted bookings that were never given a
	// seat and did not come anyway.
	WaitlistUnserved int `json:"waitlist_unserved"`
	// Responses counts feedback answers.
	Responses int `json:"responses"`

	AttendanceRate *float64 `json:"attendance_rate"` // Attended / Booked
	NoShowRate     *float64 `json:"no_show_rate"`    // NoShows / Booked
	OnlineShare    *float64 `json:"online_share"`    // Online / Came
	ResponseRate   *float64 `json:"response_rate"`   // Responses / Came
	// Averages over the feedback answers the sessions may show
	// (ShownResponses, see shownFeedback), 1–5; the gain is confidence
	// after minus before. Nil under a year-of-study or mode filter.
	AverageOverall        *float64 `json:"average_overall"`
	AverageTeaching       *float64 `json:"average_teaching"`
	AverageConfidenceGain *float64 `json:"average_confidence_gain"`
	ShownResponses        int      `json:"shown_responses"`
}

// average is sum/n to two places, nil when n is 0.
func average(sum, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := roundTo(float64(sum)/float64(n), 2)
	return &v
}

// headline works out the headline figures from up-to-date roll-ups; came
// are the students who came, when already known.
func headline(db *gorm.DB, f StatsFilter, loc *time.Location, came []int64) (Headline, error) {
	var t struct {
		Sessions, Booked, Attended, WalkIns, Online, Waitlisted, Responses int
	}
	err := f.apply(db.Table("session_stats ss"), "ss").Select(sessionsWithPeople + ` AS sessions,
 COALESCE(SUM(ss.booked), 0) AS booked, COALESCE(SUM(ss.attended), 0) AS attended, COALESCE(SUM(ss.walk_ins), 0) AS walk_ins,
 COALESCE(SUM(CASE WHEN ss.mode = 'online' THEN ss.attended + ss.walk_ins ELSE 0 END), 0) AS online,
 COALESCE(SUM(ss.waitlisted), 0) AS waitlisted, COALESCE(SUM(ss.responses), 0) AS responses`).
		Scan(&t).Error
	if err != nil {
		return Headline{}, fmt.Errorf("figures: %w", err)
	}
	h := Headline{Sessions: t.Sessions, Booked: t.Booked, Attended: t.Attended, NoShows: t.Booked - t.Attended,
		WalkIns: t.WalkIns, Came: t.Attended + t.WalkIns, Online: t.Online, WaitlistUnserved: t.Waitlisted, Responses: t.Responses}
	if f.bySession() {
		if h.Sessions, err = sessionsRun(db, f); err != nil {
			return h, err
		}
	}
	if came == nil {
		if came, err = attendeesOf(db, f, loc); err != nil {
			return h, err
		}
	}
	h.UniqueAttendees = len(came)
	h.AttendanceRate = ratio(h.Attended, h.Booked)
	h.NoShowRate = ratio(h.NoShows, h.Booked)
	h.OnlineShare = ratio(h.Online, h.Came)
	h.ResponseRate = ratio(h.Responses, h.Came)
	return h, nil // the ratings: withShownRatings
}

// attendeeIDs is a query of the different students who came under f (its
// arguments alongside): the whole months of the period from
// attendee_months, and the days before the first and after the last whole
// month from session_attendees; with a topic, session_attendees alone.
func attendeeIDs(f StatsFilter, loc *time.Location) (string, []any) {
	from, to := f.From.UTC(), f.To.UTC()
	cond := func(alias string) (string, []any) {
		var sqlPart string
		var args []any
		if f.YearOfStudy != nil {
			sqlPart += " AND " + alias + ".year_of_study = ?"
			args = append(args, *f.YearOfStudy)
		}
		if f.Mode != "" {
			sqlPart += " AND " + alias + ".mode = ?"
			args = append(args, f.Mode)
		}
		return sqlPart, args
	}
	days := func(a, b time.Time) (string, []any) {
		c, cargs := cond("sa")
		return "SELECT sa.user_id FROM session_attendees sa WHERE sa.ends_at >= ? AND sa.ends_at < ?" + c, append([]any{a, b}, cargs...)
	}
	if f.Topic != "" {
		q, args := days(from, to)
		return q + " AND sa.session_id IN (SELECT session_id FROM session_figures WHERE ends_at >= ? AND ends_at < ? AND LOWER(topic) = ?) GROUP BY sa.user_id",
			append(args, from, to, strings.ToLower(f.Topic))
	}
	t, u := from.In(loc), to.In(loc)
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	if first.Before(from) {
		first = first.AddDate(0, 1, 0)
	}
	last := time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, loc)
	if !first.Before(last) {
		q, args := days(from, to)
		return q + " GROUP BY sa.user_id", args
	}
	var parts []string
	var args []any
	if f.YearOfStudy == nil && f.Mode == "" {
		// Whoever came: one row per student and calendar year, its
		// months a set of bits.
		q, a := monthsAttended(first, last)
		parts, args = append(parts, q), a
	} else {
		// Each member is looked up in the months of that year of study
		// or mode: a few thousand index probes, however long the period.
		c, cargs := cond("am")
		parts = append(parts, "SELECT u.id AS user_id FROM users u WHERE EXISTS (SELECT 1 FROM attendee_months am WHERE am.user_id = u.id AND am.month >= ? AND am.month < ?"+c+")")
		args = append([]any{first.Format("2006-01"), last.Format("2006-01")}, cargs...)
	}
	if from.Before(first) {
		q, a := days(from, first.UTC())
		parts, args = append(parts, q), append(args, a...)
	}
	if last.Before(to) {
		q, a := days(last.UTC(), to)
		parts, args = append(parts, q), append(args, a...)
	}
	return strings.Join(parts, " UNION "), args
}

// monthsAttended is a query of the different students who came in the
// whole months from first up to last (the first days of months), from
// attendee_years: one range of rows, the students of each calendar year of
// the period with a bit of its months of the period.
func monthsAttended(first, last time.Time) (string, []any) {
	from, to := first.Year(), last.AddDate(0, -1, 0).Year()
	args := []any{from, to}
	var partial strings.Builder
	for y := from; y <= to; y++ {
		mask := 0
		for m := 1; m <= 12; m++ {
			at := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, first.Location())
			if !at.Before(first) && at.Before(last) {
				mask |= 1 << (m - 1)
			}
		}
		if mask != 1<<12-1 { // the first and the last year may be partial
			partial.WriteString(" WHEN ay.year = ? THEN ?")
			args = append(args, y, mask)
		}
	}
	mask := "4095"
	if partial.Len() > 0 {
		mask = "CASE" + partial.String() + " ELSE 4095 END"
	}
	return "SELECT ay.user_id FROM attendee_years ay WHERE ay.year >= ? AND ay.year <= ? AND (ay.months & " + mask + ") <> 0 GROUP BY ay.user_id", args
}

// YearReach is how many members of a year of study came to something in a
// period. Members are those whose year of study on the last day of the
// period was Year (by the year-of-study history, so members who joined
// after the period are not counted); Reached are those of them who came
// (present or late, booked or not) to at least one session of the period
// that matches the filter's mode and topic.
type YearReach struct {
	Year    int      `json:"year_of_study"`
	Members int      `json:"members"`
	Reached int      `json:"reached"`
	Share   *float64 `json:"share"` // Reached / Members
}

// Label names the year: "Year 3".
func (r YearReach) Label() string { return StatsKeyLabel("year_of_study", fmt.Sprint(r.Year)) }

// attendeesOf lists the different students who came under f.
func attendeesOf(db *gorm.DB, f StatsFilter, loc *time.Location) ([]int64, error) {
	q, args := attendeeIDs(f, loc)
	var ids []int64
	if err := db.Raw(q, args...).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return ids, nil
}

// yearsAtEnd gives each member's year of study just before end, from the
// newest history record before it (0: graduate). Members who joined later
// are not listed.
func yearsAtEnd(db *gorm.DB, end time.Time) (map[int64]int, error) {
	q := `SELECT DISTINCT ON (user_id) user_id, year_of_study FROM year_history WHERE valid_from < ?
ORDER BY user_id, valid_from DESC, id DESC`
	if store.DialectOf(db) == store.SQLite {
		// SQLite takes the bare column from the row holding the MAX.
		q = `SELECT user_id, year_of_study, MAX(valid_from) FROM year_history WHERE valid_from < ? GROUP BY user_id`
	}
	rows, err := db.Raw(q, end.UTC()).Rows()
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var year sql.NullInt64
		var last any
		dest := []any{&id, &year}
		if store.DialectOf(db) == store.SQLite {
			dest = append(dest, &last)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		out[id] = int(year.Int64)
	}
	return out, rows.Err()
}

// reachByYear works out YearReach for years 1–6 (only the filter's year of
// study, when it has one) from the members' years at the end of the period
// (yearsAtEnd) and the students who came in any year.
func reachByYear(f StatsFilter, years map[int64]int, came []int64) []YearReach {
	byYear := map[int]*YearReach{}
	for y := 1; y <= 6; y++ {
		byYear[y] = &YearReach{Year: y}
	}
	for _, y := range years {
		if r := byYear[y]; r != nil {
			r.Members++
		}
	}
	for _, id := range came {
		if y, ok := years[id]; ok && byYear[y] != nil {
			byYear[y].Reached++
		}
	}
	var out []YearReach
	for y := 1; y <= 6; y++ {
		if f.YearOfStudy != nil && *f.YearOfStudy != y {
			continue
		}
		r := byYear[y]
		r.Share = ratio(r.Reached, r.Members)
		out = append(out, *r)
	}
	return out
}

// partsAtOnce is how many parts of a page read at the same time: each holds
// a connection of the read pool while it reads.
const partsAtOnce = 4

// together runs the parts, partsAtOnce at a time and in their order, and
// returns the first of their errors.
func together(parts ...func() error) error {
	errs := make([]error, len(parts))
	turns := make(chan struct{}, partsAtOnce)
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Add(1)
		turns <- struct{}{}
		go func() {
			defer func() { <-turns; wg.Done() }()
			errs[i] = part()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// WeekModes is one week's attendances (attended and walk-ins) in person and
// online.
type WeekModes struct {
	Week     string   `json:"week"` // the Monday, 2006-01-02
	Label    string   `json:"label"`
	InPerson int      `json:"in_person"`
	Online   int      `json:"online"`
	Share    *float64 `json:"online_share"` // Online / (InPerson + Online)
}

// attendanceByWeekAndMode lists the weeks of the period that had
// attendances, oldest first.
func attendanceByWeekAndMode(db *gorm.DB, f StatsFilter) ([]WeekModes, error) {
	var rows []struct {
		Week string
		Mode Mode
		Came int
	}
	err := f.apply(db.Table("session_stats ss"), "ss").
		Select("ss.week AS week, ss.mode AS mode, SUM(ss.attended + ss.walk_ins) AS came").
		Group("ss.week, ss.mode").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	byWeek := map[string]*WeekModes{}
	var out []*WeekModes
	for _, r := range rows {
		w := byWeek[r.Week]
		if w == nil {
			w = &WeekModes{Week: r.Week, Label: StatsKeyLabel("week", r.Week)}
			byWeek[r.Week] = w
			out = append(out, w)
		}
		if r.Mode == ModeOnline {
			w.Online += r.Came
		} else {
			w.InPerson += r.Came
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Week < out[j].Week })
	list := make([]WeekModes, 0, len(out))
	for _, w := range out {
		if w.InPerson+w.Online == 0 {
			continue
		}
		w.Share = ratio(w.Online, w.InPerson+w.Online)
		list = append(list, *w)
	}
	return list, nil
}

// SessionFigure is one session's figures in a period.
type SessionFigure struct {
	SessionID int64     `json:"session_id"`
	Title     string    `json:"title"`
	Topic     string    `json:"topic"`
	Format    Format    `json:"format"`
	Mode      Mode      `json:"mode"`
	StartsAt  time.Time `json:"starts_at"`
	Booked    int       `json:"booked"`
	Attended  int       `json:"attended"`
	NoShows   int       `json:"no_shows"`
	WalkIns   int       `json:"walk_ins"`
	Came      int       `json:"came"`
	Rate      *float64  `json:"rate"`
	Responses int       `json:"responses"`
	// AverageOverall is the mean overall rating of the answers the session
	// may show (ShownResponses): nil below the anonymity threshold, and
	// under a year-of-study or mode filter.
	AverageOverall *float64 `json:"average_overall"`
	ShownResponses int      `json:"shown_responses"`
}

// sessionFigureList lists every session of the filter, in order of start.
// With a year-of-study or mode filter the figures are those of its
// attendees, and sessions without any are left out. Without full, each
// session has its figures only (no title, topic, format, mode or start):
// the page ranks them all but shows twenty, whose details sessionDetails
// reads after.
func sessionFigureList(db *gorm.DB, f StatsFilter, full bool) ([]SessionFigure, error) {
	sums := `COALESCE(SUM(ss.booked), 0) AS booked, COALESCE(SUM(ss.attended), 0) AS attended,
 COALESCE(SUM(ss.walk_ins), 0) AS walk_ins, COALESCE(SUM(ss.responses), 0) AS responses`
	// Each session's own totals are in session_figures; for some of its
	// attendees, its session_stats rows are summed.
	q := f.apply(db.Table("session_stats ss"), "ss").Select("ss.session_id AS session_id, " + sums).Group("ss.session_id")
	if f.bySession() {
		q = f.applyTopic(db.Table("session_figures sf").Where("sf.ends_at >= ? AND sf.ends_at < ?", f.From.UTC(), f.To.UTC()), "sf").
			Select("sf.session_id, sf.booked, sf.attended, sf.walk_ins, sf.responses")
	}
	details := ""
	if full {
		details = ", s.title, s.topic, s.format, s.mode, s.starts_at"
	}
	rows, err := db.Raw(`SELECT x.session_id, x.booked, x.attended, x.walk_ins, x.responses`+details+`
 FROM (?) x JOIN sessions s ON s.id = x.session_id ORDER BY s.starts_at, s.id`, q).Rows()
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	var out []SessionFigure
	for rows.Next() {
		var sf SessionFigure
		dest := []any{&sf.SessionID, &sf.Booked, &sf.Attended, &sf.WalkIns, &sf.Responses}
		if full {
			dest = append(dest, &sf.Title, &sf.Topic, &sf.Format, &sf.Mode, &sf.StartsAt)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		sf.StartsAt = sf.StartsAt.UTC()
		sf.NoShows, sf.Came, sf.Rate = sf.Booked-sf.Attended, sf.Attended+sf.WalkIns, ratio(sf.Attended, sf.Booked)
		out = append(out, sf) // the rating: withShownRatings

	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return out, nil
}

// sessionDetails fills in the title, topic, format, mode and start of the
// sessions of lists, read in one query.
func sessionDetails(db *gorm.DB, lists ...[]SessionFigure) error {
	var ids []int64
	for _, l := range lists {
		for _, s := range l {
			ids = append(ids, s.SessionID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID           int64
		Title, Topic string
		Format       Format
		Mode         Mode
		StartsAt     time.Time
	}
	if err := db.Table("sessions").Select("id, title, topic, format, mode, starts_at").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		at[r.ID] = i
	}
	for _, l := range lists {
		for i := range l {
			if j, ok := at[l[i].SessionID]; ok {
				r := rows[j]
				l[i].Title, l[i].Topic, l[i].Format, l[i].Mode, l[i].StartsAt = r.Title, r.Topic, r.Format, r.Mode, r.StartsAt.UTC()
			}
		}
	}
	return nil
}

// rankSessions picks the n best and n worst sessions by better (a strict
// order, best first; sessions it does not tell apart keep their order in
// list) from those keep admits; the worst are listed worst first and never
// repeat one of the best. It keeps only the 2n it may pick as it goes, so
// ranking thousands of sessions costs no more than reading them.
func rankSessions(list []SessionFigure, n int, keep func(*SessionFigure) bool, better func(a, b *SessionFigure) bool) (top, bottom []SessionFigure) {
	before := func(i, j int) bool {
		if better(&list[i], &list[j]) {
			return true
		}
		if better(&list[j], &list[i]) {
			return false
		}
		return i < j
	}
	after := func(i, j int) bool { return before(j, i) }
	var best, worst []int // indexes into list, best first and worst first
	kept := 0
	for i := range list {
		if !keep(&list[i]) {
			continue
		}
		kept++
		best = keepFirst(best, i, n, before)
		worst = keepFirst(worst, i, n, after)
	}
	for _, i := range best {
		top = append(top, list[i])
	}
	for _, i := range worst[:min(len(worst), kept-len(top))] {
		bottom = append(bottom, list[i])
	}
	return top, bottom
}

// keepFirst puts i into its place in first (in the order of less) and keeps
// at most n.
func keepFirst(first []int, i, n int, less func(i, j int) bool) []int {
	at := len(first)
	for at > 0 && less(i, first[at-1]) {
		at--
	}
	if at >= n {
		return first
	}
	first = append(first, 0)
	copy(first[at+1:], first[at:])
	first[at] = i
	return first[:min(len(first), n)]
}

// Dashboard is everything the committee dashboard shows for a filter.
type Dashboard struct {
	Filter    StatsFilter
	Headline  Headline
	ByYear    AttendanceReport
	Reach     []YearReach
	ByMode    AttendanceReport
	ByWeek    AttendanceReport
	ByTopic   AttendanceReport
	ByFormat  AttendanceReport
	ByTeacher AttendanceReport
	BySeries  AttendanceReport // a row for sessions of no series (key 0) among them
	WeekModes []WeekModes
	// Sessions lists every session of the period with its figures.
	Sessions []SessionFigure
	// The five best and worst sessions by attendances (attended and
	// walk-ins) and by average overall rating (only sessions with at least
	// the anonymity threshold of responses).
	TopByAttendance, BottomByAttendance []SessionFigure
	TopByRating, BottomByRating         []SessionFigure
}

// DashboardFigures works out the whole dashboard for f, after bringing the
// roll-ups up to date. minResponses is the feedback anonymity threshold.
func DashboardFigures(ctx context.Context, st *store.Store, f StatsFilter, minResponses int, now time.Time, loc *time.Location) (Dashboard, error) {
	return dashboardFigures(ctx, st, f, minResponses, now, loc, true)
}

// DashboardPageFigures is DashboardFigures for the page, which shows the
// best and worst sessions but not the list of them all: Sessions is left
// empty, and only the twenty sessions ranked have their titles read.
func DashboardPageFigures(ctx context.Context, st *store.Store, f StatsFilter, minResponses int, now time.Time, loc *time.Location) (Dashboard, error) {
	return dashboardFigures(ctx, st, f, minResponses, now, loc, false)
}

func dashboardFigures(ctx context.Context, st *store.Store, f StatsFilter, minResponses int, now time.Time, loc *time.Location, full bool) (Dashboard, error) {
	db := st.Read(ctx)
	d := Dashboard{Filter: f}
	if err := f.Check(); err != nil {
		return d, err
	}
	if _, err := RefreshFigures(ctx, st, now, loc); err != nil {
		return d, err
	}
	// The same figures as before while nothing they are worked out from has
	// changed: the version is read before any of them, so what is kept under
	// it is at least as new as it. Only the page's figures are kept: with
	// every session's, they would be thousands of rows each.
	version, err := figuresVersion(db)
	if err != nil {
		return d, err
	}
	year := -1
	if f.YearOfStudy != nil {
		year = *f.YearOfStudy
	}
	key := fmt.Sprintf("dashboard %d %d %d %q %q %d %t %s %d", f.From.UnixNano(), f.To.UnixNano(), year, f.Mode, f.Topic,
		minResponses, full, loc, version)
	if kept, ok := st.Recall(key); ok && !full {
		return kept.(Dashboard), nil
	}
	// The parts of the page are independent reads: a few run at once, each
	// on a connection of its own, so that the page takes a fraction of the
	// sum of them all. The longest start first.
	var came, cameAnyYear []int64
	var years map[int64]int
	var shown map[int64]shownSums
	parts := []func() error{
		func() (err error) {
			// The students who came: in the filter's year of study for the
			// headline, in any year for the reach by year at the end.
			if came, err = attendeesOf(db, f, loc); err != nil {
				return err
			}
			if came == nil {
				came = []int64{} // known: nobody
			}
			d.Headline, err = headline(db, f, loc, came)
			return err
		},
		func() (err error) {
			if f.YearOfStudy != nil {
				all := f
				all.YearOfStudy = nil
				cameAnyYear, err = attendeesOf(db, all, loc)
			}
			return err
		},
		func() (err error) { d.Sessions, err = sessionFigureList(db, f, full); return err },
		func() (err error) { shown, err = shownFeedback(db, f, minResponses); return err },
		func() (err error) { years, err = yearsAtEnd(db, f.To); return err },
		func() (err error) { d.WeekModes, err = attendanceByWeekAndMode(db, f); return err },
	}
	for _, b := range []struct {
		to      *AttendanceReport
		groupBy string
	}{{&d.ByYear, "year_of_study"}, {&d.ByMode, "mode"}, {&d.ByWeek, "week"}, {&d.ByTopic, "topic"},
		{&d.ByFormat, "format"}, {&d.ByTeacher, "teacher"}, {&d.BySeries, "series"}} {
		parts = append(parts, func() (err error) { *b.to, err = attendanceBreakdown(db, f, b.groupBy); return err })
	}
	if err := together(parts...); err != nil {
		return d, err
	}
	if f.YearOfStudy == nil {
		cameAnyYear = came
	}
	d.Reach = reachByYear(f, years, cameAnyYear)
	withShownRatings(&d.Headline, d.Sessions, shown)
	d.TopByAttendance, d.BottomByAttendance = rankSessions(d.Sessions, 5, func(*SessionFigure) bool { return true },
		func(a, b *SessionFigure) bool {
			if a.Came != b.Came {
				return a.Came > b.Came
			}
			return rateOf(a.Rate) > rateOf(b.Rate)
		})
	d.TopByRating, d.BottomByRating = rankSessions(d.Sessions, 5, func(s *SessionFigure) bool { return s.AverageOverall != nil },
		func(a, b *SessionFigure) bool {
			if *a.AverageOverall != *b.AverageOverall {
				return *a.AverageOverall > *b.AverageOverall
			}
			return a.Responses > b.Responses
		})
	if !full {
		if err := sessionDetails(db, d.TopByAttendance, d.BottomByAttendance, d.TopByRating, d.BottomByRating); err != nil {
			return d, err
		}
		d.Sessions = nil
		st.Remember(key, d)
	}
	return d, nil
}

func rateOf(r *float64) float64 {
	if r == nil {
		return -1
	}
	return *r
}

// dashboardHeadline is the headline figures of f alone, after bringing the
// roll-ups up to date: the tests and benchmarks read it apart from the rest
// of the dashboard.
func dashboardHeadline(ctx context.Context, st *store.Store, f StatsFilter, now time.Time, loc *time.Location) (Headline, error) {
	db := st.Read(ctx)
	if err := f.Check(); err != nil {
		return Headline{}, err
	}
	if _, err := RefreshFigures(ctx, st, now, loc); err != nil {
		return Headline{}, err
	}
	return headline(db, f, loc, nil)
}

// StatsTopics lists the topics of the sessions that have run, for a filter
// form.
func StatsTopics(ctx context.Context, st *store.Store) ([]string, error) {
	db := st.Read(ctx)
	var topics []string
	if err := db.Table("session_figures").Distinct("topic").Where("topic <> ''").Pluck("topic", &topics).Error; err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	sort.Slice(topics, func(i, j int) bool { return strings.ToLower(topics[i]) < strings.ToLower(topics[j]) })
	return topics, nil
}

// AttendanceRecord is one line of the raw attendance export: a student's
// booking and attendance record at one session (either may be missing).
type AttendanceRecord struct {
	SessionID        int64
	Title            string
	Topic            string
	Format           Format
	StartsAt         time.Time
	UserID           int64
	Name             string
	Email            string
	YearOfStudy      int  // at the session; 0: graduate or unknown
	Mode             Mode // the attendee's mode, as the figures count it
	BookingMode      Mode // empty without a booking
	BookingStatus    BookingStatus
	AttendanceStatus AttendanceStatus // empty without an attendance record
	AttendanceMode   Mode
	AttendanceSource AttendanceSource
}

// recordsBatch is how many sessions EachAttendanceRecord reads at a time.
const recordsBatch = 25

// EachAttendanceRecord calls fn for every booking and attendance record of
// the sessions that ran (published, ended by now) in f's period, in order
// of start and then the student's name. It reads a few sessions at a time,
// so the export is never held in memory and the database is free between
// batches. Year-of-study and mode filters apply to the student's year at the
// session and their mode as the figures count them.
func EachAttendanceRecord(ctx context.Context, st *store.Store, f StatsFilter, now time.Time, fn func(AttendanceRecord) error) error {
	db := st.Read(ctx)
	if err := f.Check(); err != nil {
		return err
	}
	to := f.To.UTC()
	if now.UTC().Before(to) {
		to = now.UTC().Add(time.Nanosecond) // ended by now: ends_at <= now
	}
	var sessions []struct {
		ID           int64
		Title, Topic string
		Format       Format
		SessionMode  Mode
		StartsAt     time.Time
	}
	q := db.Table("sessions ss").Select("ss.id, ss.title, ss.topic, ss.format, ss.mode AS session_mode, ss.starts_at").
		Where("ss.status = ? AND ss.ends_at >= ? AND ss.ends_at < ?", SessionPublished, f.From.UTC(), to)
	if f.Topic != "" {
		q = q.Where("LOWER(ss.topic) = ?", strings.ToLower(f.Topic))
	}
	if err := q.Order("ss.starts_at, ss.id").Scan(&sessions).Error; err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for start := 0; start < len(sessions); start += recordsBatch {
		batch := sessions[start:min(start+recordsBatch, len(sessions))]
		ids := make([]int64, len(batch))
		for i, s := range batch {
			ids[i] = s.ID
		}
		var rows []struct {
			SessionID        int64
			UserID           int64
			Name, Email      string
			BookingMode      Mode
			BookingStatus    BookingStatus
			AttendanceStatus AttendanceStatus
			AttendanceMode   Mode
			AttendanceSource AttendanceSource
		}
		err := db.Raw(`SELECT x.session_id, x.user_id, u.name, u.email, x.booking_mode, x.booking_status,
 x.attendance_status, x.attendance_mode, x.attendance_source
FROM (SELECT b.session_id, b.user_id, b.mode AS booking_mode, b.status AS booking_status,
  COALESCE(a.status, '') AS attendance_status, COALESCE(a.mode, '') AS attendance_mode, COALESCE(a.source, '') AS attendance_source
  FROM bookings b LEFT JOIN attendance a ON a.session_id = b.session_id AND a.user_id = b.user_id
  WHERE b.session_id IN ?
 UNION ALL
 SELECT a.session_id, a.user_id, '', '', a.status, a.mode, a.source FROM attendance a
  WHERE a.session_id IN ? AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = a.session_id AND b.user_id = a.user_id)
) x JOIN users u ON u.id = x.user_id`, ids, ids).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		var users []int64
		seen := map[int64]bool{}
		for _, r := range rows {
			if !seen[r.UserID] {
				seen[r.UserID] = true
				users = append(users, r.UserID)
			}
		}
		history, err := yearHistories(db, users)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		order := map[int64]int{}
		for i, s := range batch {
			order[s.ID] = i
		}
		sort.SliceStable(rows, func(i, j int) bool {
			a, b := rows[i], rows[j]
			if a.SessionID != b.SessionID {
				return order[a.SessionID] < order[b.SessionID]
			}
			if x, y := strings.ToLower(a.Name), strings.ToLower(b.Name); x != y {
				return x < y
			}
			return a.UserID < b.UserID
		})
		for _, r := range rows {
			s := batch[order[r.SessionID]]
			came := r.AttendanceStatus == AttendancePresent || r.AttendanceStatus == AttendanceLate
			rec := AttendanceRecord{SessionID: s.ID, Title: s.Title, Topic: s.Topic, Format: s.Format, StartsAt: s.StartsAt.UTC(),
				UserID: r.UserID, Name: r.Name, Email: r.Email, YearOfStudy: yearAt(history[r.UserID], s.StartsAt.UTC()),
				Mode:        attendeeMode(r.BookingMode, r.BookingStatus == BookingConfirmed, r.AttendanceMode, came, s.SessionMode),
				BookingMode: r.BookingMode, BookingStatus: r.BookingStatus,
				AttendanceStatus: r.AttendanceStatus, AttendanceMode: r.AttendanceMode, AttendanceSource: r.AttendanceSource}
			if f.YearOfStudy != nil && rec.YearOfStudy != *f.YearOfStudy || f.Mode != "" && rec.Mode != f.Mode {
				continue
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	return nil
}
