package handlers

import (
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/internal/chart"
	"rounds/models"
)

// The committee's figures: the attendance API and its CSV, the raw
// attendance export, the dashboard page with its CSV tables, and starting a
// new academic year. Every number comes from models (stats.go,
// dashboard.go); this file reads filters and lays the numbers out.

// statsQuery is a dashboard filter as typed, for forms and links.
type statsQuery struct {
	From, To, YearOfStudy, Mode, Topic string
}

// values encodes the filter (leaving out what is empty), with extra
// key-value pairs.
func (q statsQuery) values(extra ...string) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", q.From}, {"to", q.To}, {"year_of_study", q.YearOfStudy}, {"mode", q.Mode}, {"topic", q.Topic}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// statsFilter reads from, to, year_of_study, mode and topic. The problems
// come back as field errors (nil when there are none); the filter then
// holds the default period, so that a form can still be shown.
func (h *Handler) statsFilter(c echo.Context) (models.StatsFilter, statsQuery, models.Problems) {
	q := statsQuery{From: strings.TrimSpace(c.QueryParam("from")), To: strings.TrimSpace(c.QueryParam("to")),
		YearOfStudy: strings.TrimSpace(c.QueryParam("year_of_study")), Mode: strings.TrimSpace(c.QueryParam("mode")),
		Topic: strings.TrimSpace(c.QueryParam("topic"))}
	p := models.Problems{}
	from, to, err := h.period(q.From, q.To)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for k, v := range ve.Fields {
			p.Add(k, v)
		}
		from, to, _ = h.period("", "")
	}
	f := models.StatsFilter{From: from, To: to, Mode: models.Mode(q.Mode), Topic: q.Topic}
	switch q.YearOfStudy {
	case "":
	case "graduate", "0":
		f.YearOfStudy = new(0)
	default:
		y, err := strconv.Atoi(q.YearOfStudy)
		if err != nil || y < 1 || y > 6 {
			p.Add("year_of_study", "Choose a year from 1 to 6, or graduate.")
		} else {
			f.YearOfStudy = &y
		}
	}
	if err := f.Check(); errors.As(err, &ve) {
		for k, v := range ve.Fields {
			p.Add(k, v)
		}
	}
	if len(p) > 0 {
		f.Mode, f.Topic, f.YearOfStudy = "", "", nil
		return f, q, p
	}
	return f, q, nil
}

// attendanceReport answers the attendance API's query.
func (h *Handler) attendanceReport(c echo.Context) (models.AttendanceReport, error) {
	f, _, p := h.statsFilter(c)
	groupBy := c.QueryParam("group_by")
	if !statsGrouping(groupBy) {
		if p == nil {
			p = models.Problems{}
		}
		p.Add("group_by", models.GroupByMessage)
	}
	if err := p.Err(); err != nil {
		return models.AttendanceReport{}, err
	}
	return models.AttendanceBreakdown(c.Request().Context(), h.Store, f, groupBy, h.Clock.Now(), h.Config.Location)
}

func statsGrouping(g string) bool {
	for _, x := range models.StatsGroupings {
		if g == x {
			return true
		}
	}
	return false
}

// apiStatsAttendance is GET /api/v1/stats/attendance.
func (h *Handler) apiStatsAttendance(c echo.Context) error {
	rep, err := h.attendanceReport(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// apiStatsAttendanceCSV is GET /api/v1/stats/attendance.csv: the same rows.
func (h *Handler) apiStatsAttendanceCSV(c echo.Context) error {
	rep, err := h.attendanceReport(c)
	if err != nil {
		return err
	}
	w := h.csvResponse(c, "attendance-by-"+rep.GroupBy, rep.From, rep.To)
	_ = w.Write([]string{"key", "label", "sessions", "booked", "attended", "no_shows", "walk_ins", "rate"})
	for _, r := range rep.Rows {
		_ = w.Write([]string{csvText(r.Key), csvText(r.Label), strconv.Itoa(r.Sessions), strconv.Itoa(r.Booked),
			strconv.Itoa(r.Attended), strconv.Itoa(r.NoShows), strconv.Itoa(r.WalkIns), csvNumber(r.Rate)})
	}
	w.Flush()
	return w.Error()
}

// apiAttendanceRecordsCSV is GET /api/v1/stats/attendance/records.csv: one
// line per booking or attendance record, written as it is read.
func (h *Handler) apiAttendanceRecordsCSV(c echo.Context) error {
	f, _, p := h.statsFilter(c)
	if err := p.Err(); err != nil {
		return err
	}
	if err := models.RecordDownload(c.Request().Context(), h.Store, *currentUser(c), "attendance records", c.QueryString(), h.Clock.Now()); err != nil {
		return err
	}
	loc := h.Config.Location
	w := h.csvResponse(c, "attendance-records", f.From, f.To)
	_ = w.Write([]string{"session_id", "session_title", "topic", "format", "starts_at", "student_id", "name", "email",
		"year_of_study", "mode", "booking_mode", "booking_status", "attendance_status", "attendance_mode", "attendance_source"})
	n := 0
	err := models.EachAttendanceRecord(c.Request().Context(), h.Store, f, h.Clock.Now(), func(r models.AttendanceRecord) error {
		year := "graduate"
		if r.YearOfStudy > 0 {
			year = strconv.Itoa(r.YearOfStudy)
		}
		_ = w.Write([]string{strconv.FormatInt(r.SessionID, 10), csvText(r.Title), csvText(r.Topic), string(r.Format),
			r.StartsAt.In(loc).Format(time.RFC3339), strconv.FormatInt(r.UserID, 10), csvText(r.Name), csvText(r.Email),
			year, string(r.Mode), string(r.BookingMode), string(r.BookingStatus), string(r.AttendanceStatus), string(r.AttendanceMode), string(r.AttendanceSource)})
		if n++; n%1000 == 0 {
			w.Flush()
			c.Response().Flush()
		}
		return w.Error()
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		// The status line has gone; all that is left is to say so in the log.
		h.Log.Error("attendance export failed", slog.Any("error", err))
	}
	return nil
}

// csvResponse starts a CSV download named for what it holds and its period.
func (h *Handler) csvResponse(c echo.Context, name string, from, to time.Time) *csv.Writer {
	loc := h.Config.Location
	return csvDownload(c, fmt.Sprintf("%s-%s-to-%s.csv", name, from.In(loc).Format("2006-01-02"), to.In(loc).Format("2006-01-02")))
}

// csvDownload starts a CSV download named file.
func csvDownload(c echo.Context, file string) *csv.Writer {
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="`+file+`"`)
	hd.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return csv.NewWriter(c.Response())
}

// csvText guards a cell of free text against formula injection, as OWASP
// recommends: a spreadsheet would run a cell that starts with = + - @ (or a
// tab or carriage return), so such a cell starts with an apostrophe.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvNumber writes an optional number; nothing for nil.
func csvNumber(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// ---- the dashboard page ---------------------------------------------------

// dashCell is one table cell, optionally a link.
type dashCell struct {
	Text, Href string
}

// dashTable is one table of the dashboard with its chart and CSV link.
type dashTable struct {
	ID      string // the section's id, also the chart's
	Heading string
	Intro   string
	Chart   template.HTML
	Caption string
	Head    []string
	Num     []bool // right-aligned (numeric) columns
	Rows    [][]dashCell
	Foot    []dashCell
	CSV     string
	Empty   string
}

// dashFigure is one headline figure.
type dashFigure struct {
	Label, Value, Detail string
}

// definitions are the dashboard's words, shown on the page so that the
// committee can quote them.
func dashDefinitions(minResponses int) [][2]string {
	return [][2]string{
		{"Period", "Sessions that ended on or after the first date and before the second, in the society's time zone. The default is the current academic year, 1 August to 31 July."},
		{"Sessions run", "Published sessions that ended in the period. Cancelled sessions and drafts are left out of every figure. With a year-of-study or mode filter: the sessions with a booking or a walk-in of that year or mode."},
		{"Booked", "Confirmed bookings that were not cancelled. A place on the waitlist is not a booking."},
		{"Attended", "Booked students recorded as present or late."},
		{"Attendance rate", "Attended ÷ booked; shown as — (null in the API, empty in CSV) when nothing was booked."},
		{"No-shows", "Booked − attended: booked students recorded absent or excused, or never marked."},
		{"Walk-ins", "Students recorded present or late without a confirmed booking, including waitlisted students who came anyway."},
		{"Attendances", "Attended + walk-ins: everyone who came."},
		{"Unique attendees", "Different students with at least one attendance in the period."},
		{"Year of study", "The student's year when the session took place, from the year-of-study history, so starting a new academic year does not change past figures. For a session recorded from before a student's first known year, their earliest recorded year. “Graduate or unknown” covers graduates, doctors and members without a year."},
		{"Mode", "In person or online: the mode of the student's booking; for walk-ins, the mode they attended in."},
		{"Online share", "Online attendances ÷ all attendances."},
		{"Waitlist demand never served", "Places still on the waitlist when the session ended, of students who did not come anyway."},
		{"Feedback response rate", "Feedback answers ÷ attendances."},
		{"Average rating", "The mean overall rating (1–5) of the feedback answers that may be shown: a session counts once " + strconv.Itoa(minResponses) + " students have answered about it, and is brought up to date each time another " + strconv.Itoa(minResponses) + " have, so that no answer can be told apart. Not given with a year-of-study or mode filter, which could single out one answer."},
		{"Average confidence gain", "The mean of confidence after − confidence before (each 1–5) over the same answers as the average rating."},
		{"Students reached", "For each year of study: the members whose year was that year on the last day of the period (members who joined later and graduates are not counted), and of them those with at least one attendance in the period that matches the mode and topic filters."},
	}
}

// dashboardPage is GET /committee/dashboard.
func (h *Handler) dashboardPage(c echo.Context) error {
	f, q, p := h.statsFilter(c)
	topics, err := models.StatsTopics(c.Request().Context(), h.Store)
	if err != nil {
		return err
	}
	loc := h.Config.Location
	if p == nil {
		// Show the period actually used.
		q.From, q.To = f.From.In(loc).Format("2006-01-02"), f.To.In(loc).Format("2006-01-02")
	}
	d := map[string]any{"Title": "Dashboard", "Query": q, "Topics": topics, "Periods": h.periodLinks(q),
		"Definitions": dashDefinitions(h.Config.FeedbackMinResponses), "Errors": map[string]string{}}
	if p != nil {
		d["Errors"] = map[string]string(p)
		return h.render(c, http.StatusUnprocessableEntity, "dashboard", d)
	}
	dash, err := models.DashboardPageFigures(c.Request().Context(), h.Store, f, h.Config.FeedbackMinResponses, h.Clock.Now(), loc)
	if err != nil {
		return err
	}
	d["Period"] = dashPeriodWords(f, loc)
	d["Headline"] = dashHeadline(dash.Headline)
	d["HeadlineCSV"] = "/committee/dashboard/headline.csv?" + q.values().Encode()
	d["Tables"] = h.dashboardTables(dash, q)
	if d["Mentoring"], err = h.dashMentoring(c); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "dashboard", d)
}

// periodWords says the period for people: "1 Aug 2026 – 31 Jul 2027".
func dashPeriodWords(f models.StatsFilter, loc *time.Location) string {
	from, to := f.From.In(loc), f.To.In(loc)
	last := to.Add(-time.Nanosecond)
	if to.Hour() != 0 || to.Minute() != 0 || to.Second() != 0 || to.Nanosecond() != 0 {
		return from.Format("2 Jan 2006 15:04") + " – " + to.Format("2 Jan 2006 15:04")
	}
	return from.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
}

// periodLink is a ready-made period for the filter form.
type periodLink struct {
	Label, Href string
}

func (h *Handler) periodLinks(q statsQuery) []periodLink {
	loc := h.Config.Location
	start := models.AcademicYearStart(h.Clock.Now(), loc)
	link := func(label string, from, to time.Time) periodLink {
		q.From, q.To = from.Format("2006-01-02"), to.Format("2006-01-02")
		return periodLink{label, "/committee/dashboard?" + q.values().Encode()}
	}
	return []periodLink{
		link("This academic year ("+models.AcademicYearLabel(start)+")", start, start.AddDate(1, 0, 0)),
		link("Last academic year ("+models.AcademicYearLabel(start.AddDate(-1, 0, 0))+")", start.AddDate(-1, 0, 0), start),
		link("The last five academic years", start.AddDate(-4, 0, 0), start.AddDate(1, 0, 0)),
	}
}

func dashHeadline(hd models.Headline) []dashFigure {
	return []dashFigure{
		{"Sessions run", dashNum(hd.Sessions), ""},
		{"Unique attendees", dashNum(hd.UniqueAttendees), "different students who came"},
		{"Bookings", dashNum(hd.Booked), "confirmed, not cancelled"},
		{"Attendance rate", dashPercent(hd.AttendanceRate), fmt.Sprintf("%s of %s booked attended", dashNum(hd.Attended), dashNum(hd.Booked))},
		{"No-show rate", dashPercent(hd.NoShowRate), dashCount(hd.NoShows, "no-show", "no-shows")},
		{"Walk-ins", dashNum(hd.WalkIns), "came without a booking"},
		{"Online share", dashPercent(hd.OnlineShare), fmt.Sprintf("%s of %s online", dashNum(hd.Online), dashCount(hd.Came, "attendance", "attendances"))},
		{"Waitlist demand never served", dashNum(hd.WaitlistUnserved), "places still waiting when the session ended"},
		{"Feedback response rate", dashPercent(hd.ResponseRate), dashCount(hd.Responses, "answer", "answers")},
		{"Average rating", dashDecimal(hd.AverageOverall, " / 5"), "overall; teaching " + dashDecimal(hd.AverageTeaching, " / 5")},
		{"Average confidence gain", dashSigned(hd.AverageConfidenceGain), "after − before, on a 1–5 scale"},
	}
}

// dashCount writes a count and the word for one or for several.
func dashCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return dashNum(n) + " " + many
}

// num writes a count with thousands separators.
func dashNum(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "−" + dashNum(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// percent writes a share as a percentage to one place; a dash for nil.
func dashPercent(v *float64) string {
	if v == nil {
		return "—"
	}
	return strings.TrimSuffix(strconv.FormatFloat(*v*100, 'f', 1, 64), ".0") + "%"
}

func dashDecimal(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64) + unit
}

func dashSigned(v *float64) string {
	if v == nil {
		return "—"
	}
	s := strconv.FormatFloat(*v, 'f', 1, 64)
	if *v > 0 {
		return "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}

func dashText(s string) dashCell { return dashCell{Text: s} }

// breakdownTable lays out an AttendanceReport as a table.
func dashBreakdownTable(rep models.AttendanceReport, id, heading, first string, q statsQuery, chartHTML template.HTML) dashTable {
	t := dashTable{ID: id, Heading: heading, Chart: chartHTML, Caption: heading,
		Head: []string{first, "Sessions", "Booked", "Attended", "No-shows", "Walk-ins", "Attendance rate"},
		Num:  []bool{false, true, true, true, true, true, true},
		CSV:  "/api/v1/stats/attendance.csv?" + q.values("group_by", rep.GroupBy).Encode(), Empty: "No sessions in this period."}
	for _, r := range rep.Rows {
		t.Rows = append(t.Rows, dashBreakdownCells(dashRowLabel(r), r))
	}
	if len(rep.Rows) > 0 {
		t.Foot = dashBreakdownCells("Total", rep.Totals)
	}
	return t
}

func dashRowLabel(r models.StatsRow) string {
	if r.Label != "" {
		return r.Label
	}
	return r.Key
}

func dashBreakdownCells(label string, r models.StatsRow) []dashCell {
	return []dashCell{dashText(label), dashText(dashNum(r.Sessions)), dashText(dashNum(r.Booked)), dashText(dashNum(r.Attended)),
		dashText(dashNum(r.NoShows)), dashText(dashNum(r.WalkIns)), dashText(dashPercent(r.Rate))}
}

// cameBars charts attendances per row, with the rate in the tooltip.
func dashCameBars(rep models.AttendanceReport) []chart.Bar {
	bars := make([]chart.Bar, 0, len(rep.Rows))
	for _, r := range rep.Rows {
		bars = append(bars, chart.Bar{Label: dashRowLabel(r), Value: chart.Num(float64(r.Came())),
			Note: fmt.Sprintf("%s attended of %s booked, %s", dashNum(r.Attended), dashNum(r.Booked), dashCount(r.WalkIns, "walk-in", "walk-ins"))})
	}
	return bars
}

// dashboardTables lays out every breakdown of the dashboard.
func (h *Handler) dashboardTables(d models.Dashboard, q statsQuery) []dashTable {
	loc := h.Config.Location
	page := func(file string) string { return "/committee/dashboard/" + file + "?" + q.values().Encode() }
	var out []dashTable

	// Year of study: attendance rate (year then) and students reached
	// (year at the end), one chart, two tables.
	reach := map[string]models.YearReach{}
	for _, r := range d.Reach {
		reach[strconv.Itoa(r.Year)] = r
	}
	var bars []chart.Bar
	for _, r := range d.ByYear.Rows {
		b := chart.Bar{Label: dashRowLabel(r), Value: r.Rate, Note: fmt.Sprintf("%s of %s booked attended", dashNum(r.Attended), dashNum(r.Booked))}
		if y, ok := reach[r.Key]; ok {
			b.Second = y.Share
			b.Note += fmt.Sprintf("; %s of %s members reached", dashNum(y.Reached), dashNum(y.Members))
		}
		bars = append(bars, b)
	}
	years := dashBreakdownTable(d.ByYear, "by-year", "Attendance by year of study", "Year of study (at the session)", q,
		chart.HBar(chart.HBarOptions{ID: "chart-by-year", Title: "Attendance rate and students reached by year of study",
			Name: "Attendance rate", Format: chart.Percent, SecondName: "Students reached", SecondFormat: chart.Percent}, bars))
	years.Intro = "The chart shows each year's attendance rate and, striped, the share of the year's members reached. Years are as they were at each session; students reached are counted by their year at the end of the period."
	out = append(out, years)
	rt := dashTable{ID: "reach", Heading: "Students reached by year of study", Caption: "Students reached by year of study (at the end of the period)",
		Head: []string{"Year of study (at the end of the period)", "Members", "Reached", "Share reached"},
		Num:  []bool{false, true, true, true}, CSV: page("reach.csv"), Empty: "No members."}
	for _, r := range d.Reach {
		rt.Rows = append(rt.Rows, []dashCell{dashText(r.Label()), dashText(dashNum(r.Members)), dashText(dashNum(r.Reached)), dashText(dashPercent(r.Share))})
	}
	out = append(out, rt)

	// Mode.
	var modeBars []chart.Bar
	for _, r := range d.ByMode.Rows {
		modeBars = append(modeBars, chart.Bar{Label: dashRowLabel(r), Value: r.Rate, Note: fmt.Sprintf("%s of %s booked attended", dashNum(r.Attended), dashNum(r.Booked))})
	}
	out = append(out, dashBreakdownTable(d.ByMode, "by-mode", "Attendance by mode", "Mode", q,
		chart.HBar(chart.HBarOptions{ID: "chart-by-mode", Title: "Attendance rate by mode", Name: "Attendance rate", Format: chart.Percent}, modeBars)))

	// Online and in person over time, week by week (weeks without sessions
	// drawn as gaps).
	weeks := dashWeekRange(d.ByWeek, loc)
	long := len(weeks) > 53
	labels := make([]string, len(weeks))
	inPerson := make([]*float64, len(weeks))
	online := make([]*float64, len(weeks))
	rate := make([]*float64, len(weeks))
	at := map[string]int{}
	for i, w := range weeks {
		at[w] = i
		t, _ := time.Parse("2006-01-02", w)
		labels[i] = t.Format("2 Jan")
		if long {
			labels[i] = t.Format("2 Jan 2006")
		}
	}
	for _, w := range d.WeekModes {
		if i, ok := at[w.Week]; ok {
			inPerson[i], online[i] = chart.Num(float64(w.InPerson)), chart.Num(float64(w.Online))
		}
	}
	for _, r := range d.ByWeek.Rows {
		if i, ok := at[r.Key]; ok {
			rate[i] = r.Rate
		}
	}
	wt := dashTable{ID: "modes-by-week", Heading: "In person and online, week by week",
		Chart: chart.Columns(chart.ColumnsOptions{ID: "chart-modes-by-week", Title: "Attendances in person and online by week",
			Stacked: true}, labels, []chart.Series{{Name: "In person", Values: inPerson}, {Name: "Online", Values: online}}),
		Caption: "Attendances in person and online by week (week commencing Monday)",
		Head:    []string{"Week", "In person", "Online", "Online share"}, Num: []bool{false, true, true, true},
		CSV: page("weeks-by-mode.csv"), Empty: "Nobody came in this period."}
	for _, w := range d.WeekModes {
		wt.Rows = append(wt.Rows, []dashCell{dashText(w.Label), dashText(dashNum(w.InPerson)), dashText(dashNum(w.Online)), dashText(dashPercent(w.Share))})
	}
	out = append(out, wt)

	out = append(out, dashBreakdownTable(d.ByWeek, "by-week", "Attendance by week", "Week", q,
		chart.Line(chart.LineOptions{ID: "chart-by-week", Title: "Attendance rate by week", Format: chart.Percent},
			labels, []chart.Series{{Name: "Attendance rate", Values: rate}})))
	out = append(out, dashBreakdownTable(d.ByTopic, "by-topic", "Attendance by topic", "Topic", q,
		chart.HBar(chart.HBarOptions{ID: "chart-by-topic", Title: "Attendances by topic", Name: "Attendances"}, dashCameBars(d.ByTopic))))
	out = append(out, dashBreakdownTable(d.ByFormat, "by-format", "Attendance by format", "Format", q,
		chart.HBar(chart.HBarOptions{ID: "chart-by-format", Title: "Attendances by format", Name: "Attendances"}, dashCameBars(d.ByFormat))))
	// Many teachers make a long chart: it shows the busiest, the table all.
	busiest := d.ByTeacher
	busiest.Rows = append([]models.StatsRow(nil), d.ByTeacher.Rows...)
	sort.SliceStable(busiest.Rows, func(i, j int) bool { return busiest.Rows[i].Came() > busiest.Rows[j].Came() })
	teacherTitle := "Attendances by teacher"
	if len(busiest.Rows) > 20 {
		busiest.Rows = busiest.Rows[:20]
		teacherTitle = "Attendances of the 20 teachers with the most"
	}
	teachers := dashBreakdownTable(d.ByTeacher, "by-teacher", "Attendance by teacher", "Teacher", q,
		chart.HBar(chart.HBarOptions{ID: "chart-by-teacher", Title: teacherTitle, Name: "Attendances"}, dashCameBars(busiest)))
	teachers.Intro = "A session with several teachers counts for each of them."
	if len(d.ByTeacher.Rows) > 20 {
		teachers.Intro += " The chart shows the 20 teachers with the most attendances; the table lists everyone."
	}
	out = append(out, teachers)
	if len(d.BySeries.Rows) > 1 || (len(d.BySeries.Rows) == 1 && d.BySeries.Rows[0].Key != "0") {
		series := dashBreakdownTable(d.BySeries, "by-series", "Attendance by series", "Series", q, "")
		series.Intro = "Weekly series, each session counted once; the sessions of no series together."
		out = append(out, series)
	}

	// Sessions: the best and worst attended and rated.
	sessionTable := func(id, heading string, list []models.SessionFigure, c template.HTML) dashTable {
		t := dashTable{ID: id, Heading: heading, Caption: heading, Chart: c,
			Head: []string{"Session", "Date", "Topic", "Booked", "Attended", "Walk-ins", "Attendance rate", "Answers", "Average rating"},
			Num:  []bool{false, false, false, true, true, true, true, true, true}, CSV: page("sessions.csv"), Empty: "No sessions to list."}
		for _, s := range list {
			t.Rows = append(t.Rows, []dashCell{{Text: s.Title, Href: "/sessions/" + strconv.FormatInt(s.SessionID, 10)},
				dashText(s.StartsAt.In(loc).Format("2 Jan 2006")), dashText(s.Topic), dashText(dashNum(s.Booked)), dashText(dashNum(s.Attended)),
				dashText(dashNum(s.WalkIns)), dashText(dashPercent(s.Rate)), dashText(dashNum(s.Responses)), dashText(dashDecimal(s.AverageOverall, ""))})
		}
		return t
	}
	sessionBars := func(list []models.SessionFigure, value func(models.SessionFigure) *float64) []chart.Bar {
		var bars []chart.Bar
		for _, s := range list {
			bars = append(bars, chart.Bar{Label: s.Title, Value: value(s), Note: s.StartsAt.In(loc).Format("2 Jan 2006")})
		}
		return bars
	}
	came := func(s models.SessionFigure) *float64 { return chart.Num(float64(s.Came)) }
	rating := func(s models.SessionFigure) *float64 { return s.AverageOverall }
	out = append(out,
		sessionTable("most-attended", "Most attended sessions", d.TopByAttendance,
			chart.HBar(chart.HBarOptions{ID: "chart-most-attended", Title: "Most attended sessions", Name: "Attendances"}, sessionBars(d.TopByAttendance, came))),
		sessionTable("least-attended", "Least attended sessions", d.BottomByAttendance,
			chart.HBar(chart.HBarOptions{ID: "chart-least-attended", Title: "Least attended sessions", Name: "Attendances"}, sessionBars(d.BottomByAttendance, came))),
		sessionTable("best-rated", "Best rated sessions", d.TopByRating,
			chart.HBar(chart.HBarOptions{ID: "chart-best-rated", Title: "Best rated sessions", Name: "Average rating", Format: chart.Decimal, Max: 5}, sessionBars(d.TopByRating, rating))),
		sessionTable("worst-rated", "Lowest rated sessions", d.BottomByRating,
			chart.HBar(chart.HBarOptions{ID: "chart-worst-rated", Title: "Lowest rated sessions", Name: "Average rating", Format: chart.Decimal, Max: 5}, sessionBars(d.BottomByRating, rating))),
	)
	return out
}

// weekRange lists every week (its Monday) from the first to the last week
// of a by-week breakdown, so that weeks without sessions show as gaps.
func dashWeekRange(rep models.AttendanceReport, loc *time.Location) []string {
	if len(rep.Rows) == 0 {
		return nil
	}
	first, err1 := time.ParseInLocation("2006-01-02", rep.Rows[0].Key, loc)
	last, err2 := time.ParseInLocation("2006-01-02", rep.Rows[len(rep.Rows)-1].Key, loc)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for i := 0; ; i++ {
		w := time.Date(first.Year(), first.Month(), first.Day()+7*i, 0, 0, 0, 0, loc)
		if w.After(last) || i > 1000 {
			break
		}
		out = append(out, w.Format("2006-01-02"))
	}
	return out
}

// dashboardCSV is GET /committee/dashboard/{table}.csv: the page's own
// tables (the breakdowns link to the API's CSV).
func (h *Handler) dashboardCSV(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("file"), ".csv")
	if !ok || (name != "headline" && name != "reach" && name != "weeks-by-mode" && name != "sessions") {
		return echo.ErrNotFound
	}
	f, _, p := h.statsFilter(c)
	if err := p.Err(); err != nil {
		return err
	}
	loc := h.Config.Location
	d, err := models.DashboardFigures(c.Request().Context(), h.Store, f, h.Config.FeedbackMinResponses, h.Clock.Now(), loc)
	if err != nil {
		return err
	}
	w := h.csvResponse(c, name, f.From, f.To)
	switch name {
	case "headline":
		defs := map[string]string{}
		for _, d := range dashDefinitions(h.Config.FeedbackMinResponses) {
			defs[d[0]] = d[1]
		}
		hd := d.Headline
		_ = w.Write([]string{"figure", "value", "definition"})
		for _, r := range [][2]string{
			{"Sessions run", strconv.Itoa(hd.Sessions)}, {"Unique attendees", strconv.Itoa(hd.UniqueAttendees)},
			{"Booked", strconv.Itoa(hd.Booked)}, {"Attended", strconv.Itoa(hd.Attended)},
			{"Attendance rate", csvNumber(hd.AttendanceRate)}, {"No-shows", strconv.Itoa(hd.NoShows)},
			{"No-show rate", csvNumber(hd.NoShowRate)}, {"Walk-ins", strconv.Itoa(hd.WalkIns)},
			{"Attendances", strconv.Itoa(hd.Came)}, {"Online attendances", strconv.Itoa(hd.Online)},
			{"Online share", csvNumber(hd.OnlineShare)}, {"Waitlist demand never served", strconv.Itoa(hd.WaitlistUnserved)},
			{"Feedback answers", strconv.Itoa(hd.Responses)}, {"Feedback response rate", csvNumber(hd.ResponseRate)},
			{"Average rating", csvNumber(hd.AverageOverall)}, {"Average teaching rating", csvNumber(hd.AverageTeaching)},
			{"Average confidence gain", csvNumber(hd.AverageConfidenceGain)},
		} {
			def := defs[r[0]]
			if def == "" {
				def = defs[strings.TrimSuffix(strings.TrimPrefix(r[0], "Online "), " rate")]
			}
			_ = w.Write([]string{r[0], r[1], csvText(def)})
		}
	case "reach":
		_ = w.Write([]string{"year_of_study", "members", "reached", "share"})
		for _, r := range d.Reach {
			_ = w.Write([]string{strconv.Itoa(r.Year), strconv.Itoa(r.Members), strconv.Itoa(r.Reached), csvNumber(r.Share)})
		}
	case "weeks-by-mode":
		_ = w.Write([]string{"week", "label", "in_person", "online", "online_share"})
		for _, r := range d.WeekModes {
			_ = w.Write([]string{r.Week, r.Label, strconv.Itoa(r.InPerson), strconv.Itoa(r.Online), csvNumber(r.Share)})
		}
	case "sessions":
		_ = w.Write([]string{"session_id", "title", "topic", "format", "mode", "starts_at", "booked", "attended", "no_shows",
			"walk_ins", "attendances", "rate", "responses", "average_overall"})
		for _, s := range d.Sessions {
			_ = w.Write([]string{strconv.FormatInt(s.SessionID, 10), csvText(s.Title), csvText(s.Topic), string(s.Format), string(s.Mode),
				s.StartsAt.In(loc).Format(time.RFC3339), strconv.Itoa(s.Booked), strconv.Itoa(s.Attended), strconv.Itoa(s.NoShows),
				strconv.Itoa(s.WalkIns), strconv.Itoa(s.Came), csvNumber(s.Rate), strconv.Itoa(s.Responses), csvNumber(s.AverageOverall)})
		}
	}
	w.Flush()
	return w.Error()
}

// ---- a new academic year ----------------------------------------------------

// rolloverJSON is the API's view of a preview.
func rolloverJSON(p models.RolloverPreview) map[string]any {
	changes := p.Changes
	if changes == nil {
		changes = []models.YearChange{}
	}
	return map[string]any{"academic_year": p.AcademicYear, "changes": changes, "total": p.Total, "already_done": p.AlreadyDone,
		"starts_on": p.Starts.Format("2006-01-02"), "last": p.Last}
}

// apiAcademicYear is GET /api/v1/admin/academic-year: what a rollover
// would change.
func (h *Handler) apiAcademicYear(c echo.Context) error {
	p, err := models.PreviewRollover(c.Request().Context(), h.Store, h.Clock.Now(), h.Config.Location)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rolloverJSON(p))
}

// apiRollover is POST /api/v1/admin/academic-year/rollover; 409 when this
// academic year has been started already.
func (h *Handler) apiRollover(c echo.Context) error {
	// Moving every member up a year is said in so many words: the
	// academic year being started, as the preview names it.
	var in struct {
		Confirm string `json:"confirm"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	now := h.Clock.Now()
	starting := models.AcademicYearLabel(models.AcademicYearStart(now, h.Config.Location))
	if in.Confirm != starting {
		return &models.ValidationError{Fields: map[string]string{"confirm": fmt.Sprintf("Confirm the academic year you are starting: {\"confirm\": %q}.", starting)}}
	}
	p, err := models.RollOverYear(c.Request().Context(), h.Store, *currentUser(c), now, h.Config.Location)
	if err != nil {
		return err
	}
	p.AlreadyDone = true
	return c.JSON(http.StatusOK, rolloverJSON(p))
}

// yearMove is one line of the rollover preview for people.
type yearMove struct {
	From, To string
	Year     int // the year they are in now, for the list of members
	Members  int
}

func (h *Handler) academicYearView(p models.RolloverPreview) map[string]any {
	var moves []yearMove
	graduating := 0
	for _, ch := range p.Changes {
		m := yearMove{From: fmt.Sprintf("Year %d", dashDeref(ch.From)), Year: dashDeref(ch.From), To: "Graduate", Members: ch.Members}
		if ch.To != nil {
			m.To = fmt.Sprintf("Year %d", *ch.To)
		} else {
			graduating += ch.Members
		}
		moves = append(moves, m)
	}
	d := map[string]any{"Title": "Academic year", "Preview": p, "Moves": moves, "Graduating": graduating}
	// How far into the academic year it is: a start offered months in is
	// said to be late.
	now := h.Clock.Now().In(h.Config.Location)
	months := (now.Year()-p.Starts.Year())*12 + int(now.Month()) - int(p.Starts.Month())
	if months >= 1 {
		d["MonthsIn"] = months
	}
	return d
}

func dashDeref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// academicYearPage is GET /committee/academic-year.
func (h *Handler) academicYearPage(c echo.Context) error {
	p, err := models.PreviewRollover(c.Request().Context(), h.Store, h.Clock.Now(), h.Config.Location)
	if err != nil {
		return err
	}
	d, err := h.academicYearData(c, p)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "academic_year", d)
}

// academicYearData is the page's view of a preview, with the names of
// those who would graduate.
func (h *Handler) academicYearData(c echo.Context, p models.RolloverPreview) (map[string]any, error) {
	d := h.academicYearView(p)
	if !p.AlreadyDone {
		graduates, err := models.RolloverGraduates(c.Request().Context(), h.Store)
		if err != nil {
			return nil, err
		}
		d["Graduates"] = graduates
	}
	return d, nil
}

// academicYearSubmit is POST /committee/academic-year: start the new year,
// once "I understand" is ticked.
func (h *Handler) academicYearSubmit(c echo.Context) error {
	now := h.Clock.Now()
	if c.FormValue("confirm") != "yes" {
		p, err := models.PreviewRollover(c.Request().Context(), h.Store, now, h.Config.Location)
		if err != nil {
			return err
		}
		d, err := h.academicYearData(c, p)
		if err != nil {
			return err
		}
		d["ConfirmError"] = "Tick “I understand” to start the new academic year."
		return h.render(c, http.StatusUnprocessableEntity, "academic_year", d)
	}
	p, err := models.RollOverYear(c.Request().Context(), h.Store, *currentUser(c), now, h.Config.Location)
	var de *models.Error
	if errors.As(err, &de) && de.Code == models.ErrRolloverDone.Code {
		p, err := models.PreviewRollover(c.Request().Context(), h.Store, now, h.Config.Location)
		if err != nil {
			return err
		}
		d := h.academicYearView(p)
		d["Refused"] = models.ErrRolloverDone.Message
		return h.render(c, http.StatusConflict, "academic_year", d)
	}
	if err != nil {
		return err
	}
	graduated := 0
	for _, ch := range p.Changes {
		if ch.To == nil {
			graduated += ch.Members
		}
	}
	h.flash(c, "success", fmt.Sprintf("Academic year %s started: %s members moved up a year and %s became graduates.",
		p.AcademicYear, dashNum(p.Total-graduated), dashNum(graduated)))
	return redirect(c, "/committee/academic-year")
}
