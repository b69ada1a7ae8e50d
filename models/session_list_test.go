package models_test

import (
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// The session list's one read gives each card what the two reads of the
// session pages give: the same sessions in the same order, their teachers
// by name, the seats taken, the viewer's own booking with its place in the
// queue (a cancelled one is no booking), the link only for a confirmed
// place or a teacher; and it filters and pages as ListSessions.
func TestListSessionViewsShowWhatTheSessionPagesShow(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		ctx := t.Context()
		now := sbT0
		zoe := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Name("Zoe Teacher"))
		adam := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Name("Adam Teacher"))
		amy := testkit.Member(t, db, testkit.Year(2))
		ben := testkit.Member(t, db, testkit.Year(2))
		cat := testkit.Member(t, db, testkit.Year(2))
		mk := func(title string, hours int, opts ...testkit.Option) models.Session {
			return testkit.Session(t, db, zoe, append([]testkit.Option{testkit.Title(title), testkit.Published(),
				testkit.Starts(now.Add(time.Duration(hours) * time.Hour)), testkit.Years(2)}, opts...)...)
		}
		// Made out of order, to be listed by start.
		pair := mk("Taught by two", 30, testkit.Teachers(zoe, adam))
		full := mk("One seat", 10, testkit.Capacity(1, 0))
		online := mk("Online only", 50, testkit.Mode(models.ModeOnline), testkit.Link("https://meet.example/x"), testkit.Capacity(0, 20))
		hybrid := mk("Both ways", 70, testkit.Mode(models.ModeHybrid), testkit.Link("https://meet.example/y"), testkit.Capacity(5, 5))
		left := mk("Cancelled place", 90)
		mk("For year 5", 20, testkit.Years(5))
		testkit.Book(t, db, ben, full, models.ModeInPerson)
		testkit.Book(t, db, cat, full, models.ModeInPerson)
		testkit.Book(t, db, amy, full, models.ModeInPerson) // second in the queue
		testkit.Book(t, db, amy, online, models.ModeOnline)
		testkit.Book(t, db, amy, hybrid, models.ModeInPerson)
		b := testkit.Book(t, db, amy, left, models.ModeInPerson)
		if _, err := models.CancelBooking(ctx, db, amy, left.ID, b.ID, now); err != nil {
			t.Fatal(err)
		}

		f := models.SessionFilter{From: now, Status: models.SessionPublished, Year: 2}
		views, err := models.ListSessionViews(ctx, db, amy, f)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, v := range views {
			titles = append(titles, v.Title)
		}
		want := []string{"One seat", "Taught by two", "Online only", "Both ways", "Cancelled place"}
		if len(titles) != len(want) {
			t.Fatalf("listed %q, want %q", titles, want)
		}
		for i := range want {
			if titles[i] != want[i] {
				t.Fatalf("listed %q, want %q", titles, want)
			}
		}
		if ts := views[1].Teachers; len(ts) != 2 || ts[0].Name != "Adam Teacher" || ts[1].Name != "Zoe Teacher" {
			t.Errorf("teachers of %q: %+v, want Adam then Zoe", views[1].Title, ts)
		}
		if mb := views[0].MyBooking; mb == nil || mb.Status != models.BookingWaitlisted || mb.WaitlistPosition == nil || *mb.WaitlistPosition != 2 {
			t.Errorf("Amy's booking of the full session: %+v, want second on the waitlist", mb)
		}
		if c := views[0].Counts; c.ConfirmedInPerson != 1 || c.WaitlistedInPerson != 2 || c.Waitlisted != 2 {
			t.Errorf("counts of the full session: %+v, want 1 confirmed and 2 waiting", c)
		}
		if views[2].OnlineURL == nil || *views[2].OnlineURL != "https://meet.example/x" {
			t.Errorf("Amy has a confirmed online place but no link: %v", views[2].OnlineURL)
		}
		if views[3].OnlineURL == nil {
			t.Error("Amy has a confirmed seat of a hybrid session but not its link")
		}
		others, err := models.ListSessionViews(ctx, db, ben, models.SessionFilter{From: now, Mode: models.ModeOnline})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range others {
			if v.OnlineURL != nil {
				t.Errorf("Ben has no place in %q, yet sees its link", v.Title)
			}
		}
		if views[4].MyBooking != nil {
			t.Errorf("a cancelled booking is shown as Amy's: %+v", views[4].MyBooking)
		}

		// The same as the session pages' reads, field for field.
		ss, err := models.ListSessions(ctx, db, amy, f)
		if err != nil {
			t.Fatal(err)
		}
		full2, err := models.ViewSessions(ctx, db, amy, ss)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range views {
			w := full2[i]
			if v.ID != w.ID || v.Title != w.Title || v.Topic != w.Topic || v.Format != w.Format || v.Mode != w.Mode ||
				v.Venue != w.Venue || v.YearGroups != w.YearGroups || !v.StartsAt.Equal(w.StartsAt) || !v.EndsAt.Equal(w.EndsAt) ||
				v.Status != w.Status || v.Capacity(models.ModeInPerson) != w.Capacity(models.ModeInPerson) ||
				v.Capacity(models.ModeOnline) != w.Capacity(models.ModeOnline) || v.Counts != w.Counts || v.CanManage != w.CanManage ||
				(v.OnlineURL == nil) != (w.OnlineURL == nil) || len(v.Teachers) != len(w.Teachers) {
				t.Errorf("%q: the list's view %+v differs from the page's %+v", v.Title, v, w)
			}
			if (v.MyBooking == nil) != (w.MyBooking == nil) {
				t.Errorf("%q: booking %+v, the page's %+v", v.Title, v.MyBooking, w.MyBooking)
			} else if v.MyBooking != nil && (v.MyBooking.ID != w.MyBooking.ID || v.MyBooking.Status != w.MyBooking.Status ||
				v.MyBooking.Mode != w.MyBooking.Mode || position(v.MyBooking) != position(w.MyBooking)) {
				t.Errorf("%q: booking %+v, the page's %+v", v.Title, v.MyBooking, w.MyBooking)
			}
			if v.StartsAt.Location() != time.UTC {
				t.Errorf("%q starts in %v, want UTC", v.Title, v.StartsAt.Location())
			}
		}

		// A teacher sees the link of what they teach; filters and pages.
		tv, err := models.ListSessionViews(ctx, db, adam, models.SessionFilter{From: now, TeacherID: adam.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(tv) != 1 || tv[0].ID != pair.ID || !tv[0].CanManage {
			t.Errorf("Adam's teaching: %+v, want the session taught by two, his to manage", tv)
		}
		page, err := models.ListSessionViews(ctx, db, amy, models.SessionFilter{From: now, Mode: models.ModeOnline, Limit: 1, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1 || page[0].ID != hybrid.ID {
			t.Errorf("the second online session: %+v, want %q", page, hybrid.Title)
		}
		if _, err := models.ListSessionViews(ctx, db, amy, models.SessionFilter{Year: 9}); err == nil {
			t.Error("year 9 was accepted")
		}
	})
}

// position is a booking's place in the queue, 0 when it has none.
func position(b *models.Booking) int {
	if b.WaitlistPosition == nil {
		return 0
	}
	return *b.WaitlistPosition
}
