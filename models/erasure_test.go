package models_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

var erasureKey = []byte("test erasure key")

func erasureLinks() models.ErasureLinks {
	return models.ErasureLinks{Key: erasureKey, CancelURL: func(tok string) string { return "https://rounds.example/erasure/cancel/" + tok }}
}

// askErasure schedules u's erasure at now, as DELETE /api/v1/me does.
func askErasure(t *testing.T, db *store.Store, u models.User, now time.Time) models.DataRequest {
	t.Helper()
	r, _, err := models.RequestErasure(t.Context(), db, u, nil, erasureLinks(), now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func carryOut(t *testing.T, db *store.Store, years int, now time.Time) models.ErasureResult {
	t.Helper()
	res, err := models.CarryOutErasures(t.Context(), db, years, now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func countRows(t *testing.T, db *store.Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Read(t.Context()).Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Erasing students who booked, came, gave feedback with comments and hold
// certificates changes no figure of the whole dashboard; erasing a teacher
// changes only the name their row of the breakdown by teacher is shown
// under.
func TestErasureKeepsEveryDashboardFigure(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		w := stBuild(t, db, nil)
		// A and D wrote comments with their ratings.
		if err := db.Write(t.Context(), func(tx *gorm.DB) error {
			return tx.Exec("UPDATE feedback SET went_well = 'Dr Bob was clear', improve = 'More cases' WHERE user_id IN ?", []int64{w.a.ID, w.d.ID}).Error
		}); err != nil {
			t.Fatal(err)
		}
		certs, err := models.CertificatesOf(t.Context(), db, w.a.ID)
		if err != nil || len(certs) == 0 {
			t.Fatalf("A's certificates: %v, %v", certs, err)
		}
		filters := []models.StatsFilter{{From: w.from, To: w.to}, {From: stAt(2025, 1, 1, 0, 0), To: stAt(2026, 1, 1, 0, 0)}}
		// The whole dashboard, worked out afresh from the records: every
		// session's roll-ups are marked stale first.
		dashboards := func() []models.Dashboard {
			if err := db.Write(t.Context(), func(tx *gorm.DB) error {
				return tx.Exec("INSERT INTO stats_dirty (session_id) SELECT id FROM sessions WHERE true ON CONFLICT (session_id) DO NOTHING").Error
			}); err != nil {
				t.Fatal(err)
			}
			var out []models.Dashboard
			for _, f := range filters {
				d, err := models.DashboardFigures(t.Context(), db, f, 1, w.now, w.loc)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, d)
			}
			return out
		}
		before := dashboards()

		asked := w.now
		askErasure(t, db, w.a, asked)
		askErasure(t, db, w.d, asked)
		if res := carryOut(t, db, 0, asked.Add(models.ErasureDelay-time.Minute)); res.Asked != 0 {
			t.Fatalf("erased before the day: %+v", res)
		}
		if res := carryOut(t, db, 0, asked.Add(models.ErasureDelay)); res.Asked != 2 {
			t.Fatalf("on the day: %+v, want 2 erased", res)
		}
		after := dashboards()
		for i := range before {
			if !reflect.DeepEqual(before[i], after[i]) {
				t.Errorf("dashboard %d changed by erasing two students:\nbefore %+v\n after %+v", i, before[i], after[i])
			}
		}

		// What identified them is gone.
		for _, u := range []models.User{w.a, w.d} {
			got, err := models.UserByID(t.Context(), db, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != models.ErasedName || got.Email == u.Email || !strings.HasSuffix(got.Email, "@erased.invalid") || got.PasswordHash != "" {
				t.Errorf("erased %d: %q %q %q", u.ID, got.Name, got.Email, got.PasswordHash)
			}
			if _, err := models.Authenticate(t.Context(), db, u.Email, testkit.DefaultPassword); !errors.Is(err, models.ErrBadCredentials) {
				t.Errorf("%s still logs in: %v", u.Email, err)
			}
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM feedback WHERE user_id IN ? AND (went_well <> '' OR improve <> '')", []int64{w.a.ID, w.d.ID}); n != 0 {
			t.Errorf("%d comments kept", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM tokens WHERE user_id = ?", w.a.ID); n != 0 {
			t.Errorf("%d tokens kept", n)
		}
		// Their certificates are withdrawn, with their facts.
		for _, c := range certs {
			got, err := models.CertificateByCode(t.Context(), db, c.Code)
			if err != nil {
				t.Fatal(err)
			}
			if got.WithdrawnAt == nil || strings.Contains(got.Data, "Student A") {
				t.Errorf("certificate %s: withdrawn %v, data %s", c.Code, got.WithdrawnAt, got.Data)
			}
		}
		// The audit log has a line for each, naming the member by id only.
		entries, _, err := models.AuditLog(t.Context(), db, w.committee, 1)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range entries {
			if e.Action == models.AuditAccountErased {
				lines = append(lines, e.Target+" "+e.Detail)
				if strings.Contains(e.Target+e.Detail, "Student") || strings.Contains(e.Target+e.Detail, "@") {
					t.Errorf("audit line names the member: %+v", e)
				}
			}
		}
		if len(lines) != 2 || !strings.Contains(strings.Join(lines, "|"), "#"+strconv.FormatInt(w.a.ID, 10)) {
			t.Errorf("audit lines: %q", lines)
		}
		// The address can sign up afresh, as a new member.
		again, err := models.CreateUser(t.Context(), db, models.NewUser{Email: w.a.Email, Name: "Student A", Password: "another long pw"}, nil)
		if err != nil || again.ID == w.a.ID {
			t.Fatalf("signing up again: %+v %v", again, err)
		}

		// A teacher: sessions keep their content and say a former member
		// taught them; the figures stay, under that name.
		askErasure(t, db, w.bob, w.now)
		carryOut(t, db, 0, w.now.Add(models.ErasureDelay))
		teachers, err := models.SessionTeachers(t.Context(), db, w.s2.ID)
		if err != nil || len(teachers) != 1 || teachers[0].Name != models.ErasedName {
			t.Errorf("S2's teachers: %+v %v", teachers, err)
		}
		s2, err := models.SessionByID(t.Context(), db, w.s2.ID)
		if err != nil || s2.Title != w.s2.Title {
			t.Errorf("S2: %+v %v", s2, err)
		}
		final := dashboards()
		for i := range before {
			b, a := before[i], final[i]
			if !sameByKey(b.ByTeacher.Rows, a.ByTeacher.Rows) || !reflect.DeepEqual(b.ByTeacher.Totals, a.ByTeacher.Totals) {
				t.Errorf("dashboard %d: by teacher\nbefore %+v\n after %+v", i, b.ByTeacher, a.ByTeacher)
			}
			b.ByTeacher, a.ByTeacher = models.AttendanceReport{}, models.AttendanceReport{}
			if !reflect.DeepEqual(b, a) {
				t.Errorf("dashboard %d changed by erasing a teacher:\nbefore %+v\n after %+v", i, b, a)
			}
		}
	})
}

// sameByKey compares breakdown rows by key, whatever their labels and order.
func sameByKey(a, b []models.StatsRow) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]models.StatsRow{}
	for _, r := range a {
		r.Label = ""
		m[r.Key] = r
	}
	for _, r := range b {
		r.Label = ""
		if !reflect.DeepEqual(m[r.Key], r) {
			return false
		}
	}
	return true
}

// A member asks, asks again (same day), cancels, asks again; the links in
// the e-mails call off their own request only, once.
func TestErasureAskCancelAndLinks(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		u := testkit.Member(t, db, testkit.Name("Ruth Leaving"), testkit.Year(3))
		now := testkit.T0
		first, created, err := models.RequestErasure(t.Context(), db, u, nil, erasureLinks(), now)
		if err != nil || !created || first.DueAt == nil || !first.DueAt.Equal(now.Add(7*24*time.Hour)) {
			t.Fatalf("asked: %+v %v %v", first, created, err)
		}
		again, created, err := models.RequestErasure(t.Context(), db, u, nil, erasureLinks(), now.Add(2*24*time.Hour))
		if err != nil || created || again.ID != first.ID || !again.DueAt.Equal(*first.DueAt) {
			t.Fatalf("asked twice: %+v %v %v", again, created, err)
		}
		var mails []models.OutboxMessage
		if err := db.Read(t.Context()).Where("user_id = ? AND kind = ?", u.ID, models.MailErasureScheduled).Find(&mails).Error; err != nil || len(mails) != 1 {
			t.Fatalf("erasure e-mails: %d %v", len(mails), err)
		}
		link := mails[0].DataMap()["link"]
		token := link[strings.LastIndex(link, "/")+1:]
		if !strings.HasPrefix(link, "https://rounds.example/erasure/cancel/") || token == "" {
			t.Fatalf("link %q", link)
		}

		// The proof the page asks for.
		pw := models.ErasureProof{Password: "not it"}
		if _, _, err := models.RequestErasure(t.Context(), db, u, &pw, erasureLinks(), now); !isValidation(err, "password") {
			t.Errorf("wrong password: %v", err)
		}

		// Cancelled while logged in: the day passes, nothing is erased.
		if ok, err := models.CancelErasure(t.Context(), db, u.ID, now.Add(time.Hour)); err != nil || !ok {
			t.Fatalf("cancel: %v %v", ok, err)
		}
		if ok, _ := models.CancelErasure(t.Context(), db, u.ID, now.Add(time.Hour)); ok {
			t.Error("cancelled twice")
		}
		if res := carryOut(t, db, 0, now.Add(8*24*time.Hour)); res.Asked != 0 {
			t.Fatalf("erased after cancelling: %+v", res)
		}
		// The old link now shows a cancelled request, and calls off nothing new.
		second := askErasure(t, db, u, now.Add(3*24*time.Hour))
		if second.ID == first.ID || !second.DueAt.Equal(now.Add(10*24*time.Hour)) {
			t.Fatalf("asked again: %+v", second)
		}
		r, err := models.CancelErasureByToken(t.Context(), db, erasureKey, token, now.Add(4*24*time.Hour))
		if err != nil || r.ID != first.ID || r.Status != models.DataRequestCancelled {
			t.Fatalf("old link: %+v %v", r, err)
		}
		if w, _ := models.WaitingErasure(t.Context(), db, u.ID); w == nil || w.ID != second.ID {
			t.Fatalf("the old link called off the new request: %+v", w)
		}
		for _, bad := range []string{"", "x", token + "x", models.ErasureCancelToken([]byte("other key"), second.ID, u.ID)} {
			if _, err := models.CancelErasureByToken(t.Context(), db, erasureKey, bad, now); !errors.Is(err, models.ErrBadErasureLink) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		// The new link, once.
		tok2 := models.ErasureCancelToken(erasureKey, second.ID, u.ID)
		if r, err := models.CancelErasureByToken(t.Context(), db, erasureKey, tok2, now.Add(4*24*time.Hour)); err != nil || r.Status != models.DataRequestCancelled || r.CancelledAt == nil {
			t.Fatalf("new link: %+v %v", r, err)
		}
		if res := carryOut(t, db, 0, now.Add(30*24*time.Hour)); res.Asked != 0 {
			t.Fatalf("erased after the link: %+v", res)
		}
		got, _ := models.UserByID(t.Context(), db, u.ID)
		if got.Name != "Ruth Leaving" {
			t.Errorf("name %q", got.Name)
		}
	})
}

func isValidation(err error, field string) bool {
	var ve *models.ValidationError
	return errors.As(err, &ve) && ve.Fields[field] != ""
}

// Carrying out erasures twice, or on two instances at once, erases each
// account once: one audit line, one done request; e-mails still waiting to
// go to the member are dropped, and their seat to come goes to the waitlist.
func TestErasureOnceOnly(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher))
		u := testkit.Member(t, db, testkit.Name("Sam Going"), testkit.Year(2))
		next := testkit.Member(t, db, testkit.Name("Next In Line"), testkit.Year(2))
		now := testkit.T0
		s := testkit.Session(t, db, teacher, testkit.Capacity(1, 0), testkit.Starts(now.Add(30*24*time.Hour)), testkit.At(now), testkit.Published())
		testkit.Book(t, db, u, s, "", testkit.At(now))
		testkit.Book(t, db, next, s, "", testkit.At(now.Add(time.Minute)))
		askErasure(t, db, u, now)
		if n := countRows(t, db, "SELECT COUNT(*) FROM outbox WHERE user_id = ? AND status = 'pending'", u.ID); n == 0 {
			t.Fatal("no e-mail waits for the member")
		}
		due := now.Add(models.ErasureDelay)
		var wg sync.WaitGroup
		results := make([]models.ErasureResult, 2)
		errs := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = models.CarryOutErasures(t.Context(), db, 2, due)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := results[0].Asked + results[1].Asked; n != 1 {
			t.Fatalf("erased %d times: %+v", n, results)
		}
		if res := carryOut(t, db, 2, due.Add(24*time.Hour)); res.Asked+res.Graduates != 0 {
			t.Fatalf("a second run erased %+v", res)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = ?", models.AuditAccountErased); n != 1 {
			t.Errorf("%d audit lines", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM data_requests WHERE user_id = ? AND status = ?", u.ID, models.DataRequestDone); n != 1 {
			t.Errorf("%d done requests", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM outbox WHERE user_id = ? AND status = 'pending'", u.ID); n != 0 {
			t.Errorf("%d e-mails still wait for the erased member", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM outbox WHERE to_addr LIKE ?", "%sam.going%"); n != 0 {
			t.Errorf("%d e-mails keep the member's address", n)
		}
		var b models.Booking
		if err := db.Read(t.Context()).Where("session_id = ? AND user_id = ?", s.ID, next.ID).Take(&b).Error; err != nil || b.Status != models.BookingConfirmed {
			t.Errorf("the next in line: %+v %v", b, err)
		}
	})
}

// Former students are erased N years after the roll-over that graduated
// them, not a day before; teachers, committee and students still studying
// never by this rule; 0 years: never.
func TestGraduatesErasedAfterYears(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		w := stBuild(t, db, nil) // D graduated at the roll-over of 1 September 2025
		rolled := stAt(2025, 9, 1, 9, 0)
		if res := carryOut(t, db, 2, rolled.AddDate(2, 0, 0).Add(-time.Minute)); res.Graduates != 0 {
			t.Fatalf("before two years: %+v", res)
		}
		if res := carryOut(t, db, 0, rolled.AddDate(10, 0, 0)); res.Graduates != 0 {
			t.Fatalf("with 0 years: %+v", res)
		}
		if res := carryOut(t, db, 2, rolled.AddDate(2, 0, 0)); res.Graduates != 1 {
			t.Fatalf("after two years: %+v, want D", res)
		}
		if res := carryOut(t, db, 2, rolled.AddDate(5, 0, 0)); res.Graduates != 0 {
			t.Fatalf("again later: %+v", res)
		}
		for _, u := range []models.User{w.committee, w.alice, w.bob, w.a, w.b, w.c, w.e, w.l, w.d} {
			erased, err := models.Erased(t.Context(), db, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if erased != (u.ID == w.d.ID) {
				t.Errorf("%s erased: %v", u.Name, erased)
			}
		}
		rows, err := models.DataRequests(t.Context(), db, w.committee)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].UserID != w.d.ID || !rows[0].ByRetention() || rows[0].Status != models.DataRequestDone ||
			rows[0].MemberName != models.ErasedName || rows[0].DoneAt == nil {
			t.Errorf("committee's list: %+v", rows)
		}
		if _, err := models.DataRequests(t.Context(), db, w.alice); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a teacher reads the requests: %v", err)
		}
	})
}

// What a mentee wrote in mentoring goes with their account: hopes and
// answers, goals, their meeting note, their reason to end the pair, their
// written questionnaire answers (ratings stay). The mentor's note stays.
func TestErasureRemovesMentoringWords(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		_, mr, me, s, pairID := introduce(t, db)
		at := mtMatchAt.Add(7 * 24 * time.Hour)
		if _, err := models.SetGoals(t.Context(), db, me, pairID, "Decide about GP training"); err != nil {
			t.Fatal(err)
		}
		m, err := models.ProposeMeeting(t.Context(), db, me, pairID, models.MeetingInput{StartsAt: at.Add(48 * time.Hour), Minutes: 45,
			Mode: models.ModeOnline, PlaceOrURL: "https://meet.example.org/gp"}, at)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.AcceptMeeting(t.Context(), db, mr, m.ID, at); err != nil {
			t.Fatal(err)
		}
		after := at.Add(72 * time.Hour)
		mine, theirs := "Talked about my worries", "Mentee was worried"
		if _, err := models.MarkMeeting(t.Context(), db, me, m.ID, ptr(true), &mine, after); err != nil {
			t.Fatal(err)
		}
		if _, err := models.MarkMeeting(t.Context(), db, mr, m.ID, ptr(true), &theirs, after); err != nil {
			t.Fatal(err)
		}
		if _, err := models.RequestEnd(t.Context(), db, me, pairID, "Personal reasons", after); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(t.Context(), func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO questionnaire_responses (scheme_id, phase, user_id, role, answers, created_at) VALUES (?, 'before', ?, 'mentee', ?, ?)`,
				s.ID, me.ID, `{"s1":4,"q1":"My own words"}`, after).Error
		}); err != nil {
			t.Fatal(err)
		}
		askErasure(t, db, me, after)
		if res := carryOut(t, db, 0, after.Add(models.ErasureDelay)); res.Asked != 1 {
			t.Fatalf("erased %+v", res)
		}
		for q, want := range map[string]int64{
			"SELECT COUNT(*) FROM mentoring_applications WHERE user_id = ? AND (hopes <> '' OR answers <> '[]')": 0,
			"SELECT COUNT(*) FROM mentoring_applications WHERE user_id = ?":                                      1, // the pair's record stays
			"SELECT COUNT(*) FROM mentoring_pairs WHERE mentee_id = ? AND goals <> ''":                           0,
			"SELECT COUNT(*) FROM mentoring_notes WHERE user_id = ?":                                             0,
			"SELECT COUNT(*) FROM mentoring_end_requests WHERE user_id = ? AND reason <> ''":                     0,
			"SELECT COUNT(*) FROM questionnaire_responses WHERE user_id = ? AND answers LIKE '%own words%'":      0,
			"SELECT COUNT(*) FROM questionnaire_responses WHERE user_id = ? AND answers LIKE '%\"s1\":4%'":       1,
		} {
			if n := countRows(t, db, q, me.ID); n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM mentoring_notes WHERE user_id = ?", mr.ID); n != 1 {
			t.Errorf("the mentor's note: %d", n)
		}
	})
}
