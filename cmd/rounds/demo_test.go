package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"rounds/internal/clock"
	"rounds/models"
	"rounds/models/store"
)

// demoEnv is the configuration of a demo on a fresh SQLite database.
func demoEnv(t *testing.T) map[string]string {
	return map[string]string{"ROUNDS_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "demo.db"), "ROUNDS_LOG_LEVEL": "warn"}
}

// runDemoAt runs "rounds demo args…" with the clock standing at now.
func runDemoAt(t *testing.T, env map[string]string, now time.Time, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := runDemo(context.Background(), args, envOf(env), &out, &errs, clock.NewFake(now))
	return out.String() + errs.String(), err
}

// openDemo opens the demo's database for checking.
func openDemo(t *testing.T, env map[string]string) *store.Store {
	t.Helper()
	db, err := store.Open(env["ROUNDS_DATABASE_URL"], nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// count runs a COUNT(*) query.
func count(t *testing.T, db *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background()).Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// tableCounts is how many rows the demo's tables hold, to tell whether
// anything changed.
func tableCounts(t *testing.T, db *store.Store) map[string]int {
	out := map[string]int{}
	for _, table := range []string{"users", "sessions", "session_teachers", "bookings", "attendance", "attendance_audit", "feedback", "outbox", "certificates"} {
		out[table] = count(t, db, "SELECT COUNT(*) FROM "+table)
	}
	var last time.Time
	db.Read(context.Background()).Raw("SELECT MAX(updated_at) FROM bookings").Row().Scan(&last)
	out["bookings updated"] = int(last.Unix())
	return out
}

// TestDemo builds the demo society at the current time, checks what it
// holds, that a second run leaves it alone or refuses it, and that "rounds
// serve" then shows a living site to a demo student.
func TestDemo(t *testing.T) {
	env := demoEnv(t)
	now := time.Now().UTC()
	out, err := runDemoAt(t, env, now)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	t.Log(out)
	for _, want := range []string{"chair@example.ac.uk / rounds-demo-1", "education@example.ac.uk / rounds-demo-1",
		"secretary@example.ac.uk / rounds-demo-1", "300 students", "15 teachers", "3 committee", "60 sessions"} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary does not say %q", want)
		}
	}
	db := openDemo(t, env)
	t.Run("members", func(t *testing.T) { checkDemoMembers(t, db) })
	t.Run("sessions", func(t *testing.T) { checkDemoSessions(t, db, now) })
	t.Run("bookings", func(t *testing.T) { checkDemoBookings(t, db, now) })
	t.Run("attendance", func(t *testing.T) { checkDemoAttendance(t, db, now) })

	before := tableCounts(t, db)
	t.Run("if-empty leaves a filled database alone", func(t *testing.T) {
		out, err := runDemoAt(t, env, now.Add(time.Hour), "--if-empty")
		if err != nil || !strings.Contains(out, "already has 318 members") {
			t.Errorf("demo --if-empty: %v %q", err, out)
		}
		if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("changed: %v, was %v", after, before)
		}
	})
	t.Run("a filled database is refused", func(t *testing.T) {
		out, err := runDemoAt(t, env, now.Add(time.Hour), "--seed", "2")
		if err == nil || !strings.Contains(err.Error(), "already has members") || !strings.Contains(err.Error(), "--if-empty") {
			t.Errorf("demo on a filled database: %v %q", err, out)
		}
		if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("changed: %v, was %v", after, before)
		}
	})
	t.Run("serve shows it", func(t *testing.T) { checkDemoServed(t, env, out) })
}

func checkDemoMembers(t *testing.T, db *store.Store) {
	roles := map[models.Role]int{}
	for _, role := range models.Roles {
		roles[role] = count(t, db, "SELECT COUNT(*) FROM users WHERE role = ?", role)
	}
	if roles[models.RoleStudent] != 300 || roles[models.RoleTeacher] != 15 || roles[models.RoleCommittee] != 3 {
		t.Errorf("members by role: %v", roles)
	}
	var years []int
	for y := 1; y <= 6; y++ {
		years = append(years, count(t, db, "SELECT COUNT(*) FROM users WHERE role = 'student' AND year_of_study = ?", y))
	}
	for y := 1; y < 6; y++ {
		if years[y] > years[y-1] {
			t.Errorf("more students in year %d than in year %d: %v", y+1, y, years)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM users WHERE role = 'teacher' AND year_of_study IS NULL AND email LIKE '%@example.nhs.uk'"); n < 3 {
		t.Errorf("%d junior doctors", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM users WHERE role = 'teacher' AND year_of_study >= 5"); n < 3 {
		t.Errorf("%d senior student-teachers", n)
	}
	var users []models.User
	db.Read(context.Background()).Find(&users)
	accented := 0
	email := regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9-]+[0-9]*@(student\.example\.ac\.uk|example\.nhs\.uk)$`)
	for _, u := range users {
		if utf8.RuneCountInString(u.Name) != len(u.Name) {
			accented++
		}
		if u.Role != models.RoleCommittee && !email.MatchString(u.Email) {
			t.Errorf("e-mail %q of %q", u.Email, u.Name)
		}
	}
	if accented < 5 {
		t.Errorf("only %d names with accents", accented)
	}
	if _, err := models.Authenticate(t.Context(), db, "chair@example.ac.uk", defaultDemoPassword); err != nil {
		t.Errorf("the president cannot log in: %v", err)
	}
	if _, err := models.Authenticate(t.Context(), db, users[len(users)-1].Email, defaultDemoPassword); err != nil {
		t.Errorf("a student cannot log in: %v", err)
	}
}

func checkDemoSessions(t *testing.T, db *store.Store, now time.Time) {
	if n := count(t, db, "SELECT COUNT(*) FROM sessions"); n != 60 {
		t.Errorf("%d sessions", n)
	}
	byStatus := map[models.SessionStatus]int{}
	for _, s := range []models.SessionStatus{models.SessionDraft, models.SessionPublished, models.SessionCancelled} {
		byStatus[s] = count(t, db, "SELECT COUNT(*) FROM sessions WHERE status = ?", s)
	}
	if byStatus[models.SessionDraft] != 2 || byStatus[models.SessionCancelled] != 1 {
		t.Errorf("sessions by status: %v", byStatus)
	}
	past := count(t, db, "SELECT COUNT(*) FROM sessions WHERE ends_at < ?", now)
	if past < 20 || past > 40 {
		t.Errorf("%d of 60 sessions in the past", past)
	}
	for _, f := range []models.Format{models.FormatLecture, models.FormatSmallGroup, models.FormatPractical, models.FormatWorkshop} {
		if count(t, db, "SELECT COUNT(*) FROM sessions WHERE format = ?", f) == 0 {
			t.Errorf("no %s", f)
		}
	}
	for _, m := range []models.Mode{models.ModeInPerson, models.ModeOnline, models.ModeHybrid} {
		if count(t, db, "SELECT COUNT(*) FROM sessions WHERE mode = ?", m) == 0 {
			t.Errorf("no %s session", m)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM sessions WHERE format = 'small_group' AND mode <> 'online' AND (in_person_capacity < 8 OR in_person_capacity > 12)"); n > 0 {
		t.Errorf("%d small groups outside 8–12 seats", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM sessions WHERE format = 'lecture' AND mode <> 'online' AND (in_person_capacity < 60 OR in_person_capacity > 150)"); n > 0 {
		t.Errorf("%d lectures outside 60–150 seats", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM sessions WHERE mode <> 'in_person' AND online_capacity IS NULL"); n == 0 {
		t.Error("no unlimited online seats")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM (SELECT session_id FROM session_teachers GROUP BY session_id HAVING COUNT(*) > 1)"); n < 5 {
		t.Errorf("%d sessions with co-teachers", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM sessions WHERE description NOT LIKE '%https://%'"); n > 0 {
		t.Errorf("%d descriptions without a link", n)
	}
	checkDemoLocalTimes(t, db)
}

// checkDemoLocalTimes checks that sessions start at the society's usual
// local times, on both sides of a change of the clocks.
func checkDemoLocalTimes(t *testing.T, db *store.Store) {
	loc, _ := time.LoadLocation("Europe/London")
	var starts []time.Time
	db.Read(context.Background()).Raw("SELECT starts_at FROM sessions").Scan(&starts)
	for _, s := range starts {
		if hm := s.In(loc).Format("15:04"); hm != "18:00" && hm != "18:30" && hm != "10:00" {
			t.Errorf("a session starts at %s London time (%s)", hm, s)
		}
	}
}

func checkDemoBookings(t *testing.T, db *store.Store, now time.Time) {
	if wrong, err := miscountedSeats(t.Context(), db); err != nil || len(wrong) > 0 {
		t.Errorf("sessions whose seat counts differ from their bookings: %v %v", wrong, err)
	}
	for _, status := range []models.BookingStatus{models.BookingConfirmed, models.BookingWaitlisted, models.BookingCancelled} {
		if count(t, db, "SELECT COUNT(*) FROM bookings WHERE status = ?", status) == 0 {
			t.Errorf("no %s bookings", status)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM bookings WHERE status <> 'cancelled'"); n < 800 {
		t.Errorf("only %d live bookings", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id
WHERE b.created_at >= s.starts_at OR b.created_at > ? OR b.created_at < s.created_at`, now); n > 0 {
		t.Errorf("%d bookings made after the start, in the future or before the session existed", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM sessions s WHERE s.mode <> 'online' AND s.in_person_capacity <
(SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.mode = 'in_person' AND b.status = 'confirmed')`); n > 0 {
		t.Errorf("%d sessions over capacity", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM sessions s WHERE s.status = 'published' AND s.mode <> 'online' AND s.in_person_capacity =
(SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.mode = 'in_person' AND b.status = 'confirmed')`); n < 3 {
		t.Errorf("only %d full sessions", n)
	}
	online := count(t, db, "SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE s.mode = 'hybrid' AND b.mode = 'online' AND b.status <> 'cancelled'")
	inPerson := count(t, db, "SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE s.mode = 'hybrid' AND b.mode = 'in_person' AND b.status <> 'cancelled'")
	if online <= inPerson {
		t.Errorf("hybrid sessions: %d online and %d in-person bookings", online, inPerson)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE s.status = 'draft'"); n > 0 {
		t.Errorf("%d bookings of drafts", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"); n > 0 {
		t.Errorf("%d demo e-mails left to send", n)
	}
}

func checkDemoAttendance(t *testing.T, db *store.Store, now time.Time) {
	for _, status := range []models.AttendanceStatus{models.AttendancePresent, models.AttendanceLate, models.AttendanceAbsent, models.AttendanceExcused} {
		if count(t, db, "SELECT COUNT(*) FROM attendance WHERE status = ?", status) == 0 {
			t.Errorf("nobody %s", status)
		}
	}
	for _, source := range []models.AttendanceSource{models.SourceCode, models.SourceJoinLink, models.SourceRegister, models.SourceApology} {
		if count(t, db, "SELECT COUNT(*) FROM attendance WHERE source = ?", source) == 0 {
			t.Errorf("no attendance from %s", source)
		}
	}
	walkIns := count(t, db, `SELECT COUNT(*) FROM attendance a WHERE a.status IN ('present', 'late') AND NOT EXISTS
(SELECT 1 FROM bookings b WHERE b.session_id = a.session_id AND b.user_id = a.user_id AND b.status = 'confirmed')`)
	if walkIns == 0 {
		t.Error("no walk-ins")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM attendance a JOIN sessions s ON s.id = a.session_id WHERE s.starts_at > ? AND a.source <> 'apology'", now); n > 0 {
		t.Errorf("%d arrivals at sessions yet to start", n)
	}
	rate := func(years string) float64 {
		q := `SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN users u ON u.id = b.user_id
LEFT JOIN attendance a ON a.session_id = b.session_id AND a.user_id = b.user_id AND a.status IN ('present', 'late')
WHERE b.status = 'confirmed' AND s.status = 'published' AND s.ends_at < ? AND u.year_of_study IN ` + years
		booked := count(t, db, q, now.Add(-24*time.Hour))
		came := count(t, db, q+" AND a.id IS NOT NULL", now.Add(-24*time.Hour))
		return float64(came) / float64(max(booked, 1))
	}
	if early, late := rate("(1, 2)"), rate("(5, 6)"); early < 0.7 || early > 0.92 || late < 0.25 || late > 0.5 {
		t.Errorf("attendance of the booked: years 1–2 %.2f, years 5–6 %.2f", early, late)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM feedback f JOIN sessions s ON s.id = f.session_id WHERE f.created_at < s.starts_at OR f.created_at > ?", now); n > 0 {
		t.Errorf("%d feedback answers out of time", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM feedback"); n < 50 {
		t.Errorf("only %d feedback answers", n)
	}
}

// checkDemoServed serves the demo and looks at it as the first-year student
// the summary suggests.
func checkDemoServed(t *testing.T, env map[string]string, summary string) {
	m := regexp.MustCompile(`student:\s+(\S+) / \S+\s+\((.+), year 1\)`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no first-year log-in in %q", summary)
	}
	email, name := m[1], m[2]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	served := map[string]string{"ROUNDS_ADDR": addr}
	for k, v := range env {
		served[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(served), nil, io.Discard, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "http://" + addr
	waitReady(t, base+"/readyz")

	body, _ := json.Marshal(map[string]string{"email": email, "password": defaultDemoPassword})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || login.Token == "" {
		t.Fatalf("log-in as %s: %d", email, res.StatusCode)
	}
	get := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+login.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, page := get("/"); status != http.StatusOK || !strings.Contains(page, html.EscapeString(name)) {
		t.Errorf("home page: %d, without %q", status, name)
	}
	status, raw := get("/api/v1/sessions?year=1")
	var list struct{ Sessions []models.SessionView }
	if err := json.Unmarshal([]byte(raw), &list); status != http.StatusOK || err != nil || len(list.Sessions) < 8 {
		t.Fatalf("sessions for year 1: %d %v, %d sessions", status, err, len(list.Sessions))
	}
	teachers, booked := 0, 0
	for _, s := range list.Sessions {
		if len(s.Teachers) > 0 && s.Title != "" && s.Status == models.SessionPublished {
			teachers++
		}
		if s.MyBooking != nil {
			booked++
		}
	}
	if teachers != len(list.Sessions) || booked == 0 {
		t.Errorf("year 1 sees %d sessions, %d with teachers, %d booked by them", len(list.Sessions), teachers, booked)
	}
	status, raw = get("/api/v1/me/bookings")
	if status != http.StatusOK || !strings.Contains(raw, `"status":"confirmed"`) {
		t.Errorf("my bookings: %d %.200s", status, raw)
	}
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDemoIsDeterministic builds the demo twice with the same seed and
// clock, in a term across the change to British summer time, and gets the
// same society.
func TestDemoIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo twice")
	}
	now := time.Date(2026, 3, 25, 19, 0, 0, 0, time.UTC)
	var dumps []string
	for range 2 {
		env := demoEnv(t)
		if out, err := runDemoAt(t, env, now, "--seed", "7", "--password", "another-password"); err != nil {
			t.Fatalf("demo: %v %s", err, out)
		}
		db := openDemo(t, env)
		var rows []string
		db.Read(context.Background()).Raw(`SELECT s.title || ' ' || s.starts_at || ' ' || s.status || ' ' || s.mode || ' ' ||
(SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'confirmed') || ' ' ||
(SELECT COUNT(*) FROM attendance a WHERE a.session_id = s.id AND a.status = 'present') || ' ' ||
(SELECT GROUP_CONCAT(u.email) FROM session_teachers st JOIN users u ON u.id = st.user_id WHERE st.session_id = s.id)
FROM sessions s ORDER BY s.id`).Scan(&rows)
		dumps = append(dumps, strings.Join(rows, "\n"))
		checkDemoLocalTimes(t, db)
		if _, err := models.Authenticate(t.Context(), db, "secretary@example.ac.uk", "another-password"); err != nil {
			t.Errorf("--password: %v", err)
		}
	}
	if dumps[0] != dumps[1] || len(dumps[0]) < 1000 {
		t.Errorf("two demos with the same seed differ:\n%s\n---\n%s", dumps[0], dumps[1])
	}
}

func TestDemoFlags(t *testing.T) {
	env := demoEnv(t)
	if err := run(context.Background(), []string{"migrate"}, envOf(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--password", "short"}, {"--seed", "x"}, {"extra"}, {"--scale", "-1"}} {
		if out, err := runDemoAt(t, env, time.Now(), args...); err == nil {
			t.Errorf("demo %v accepted: %s", args, out)
		}
	}
	if _, err := runDemoAt(t, env, time.Now(), "-h"); err != nil {
		t.Errorf("demo -h: %v", err)
	}
	if n := count(t, openDemo(t, env), "SELECT COUNT(*) FROM users"); n != 0 {
		t.Errorf("refused demos made %d members", n)
	}
}
