package models

import (
	"strings"
	"testing"
	"time"
)

func TestWeeklyDatesKeepTheWallClock(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, london)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	local := func(ds []seriesDate) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Start.In(london).Format("2006-01-02 15:04 MST")+"–"+d.End.In(london).Format("15:04"))
		}
		return strings.Fields(strings.Join(out, " "))
	}
	for _, c := range []struct {
		name         string
		start, end   string
		weeks        int
		skip         []string
		want         []string // local start and end of each session
		wantProblems []string
	}{
		{
			name: "across the last Sunday of October", start: "2026-10-13 18:00", end: "2026-10-13 19:30", weeks: 4,
			want: []string{"2026-10-13", "18:00", "BST–19:30", "2026-10-20", "18:00", "BST–19:30", "2026-10-27", "18:00", "GMT–19:30", "2026-11-03", "18:00", "GMT–19:30"},
		},
		{
			name: "across the last Sunday of March, skipping a date", start: "2027-03-16 18:00", end: "2027-03-16 19:00", weeks: 3, skip: []string{"2027-03-23"},
			want: []string{"2027-03-16", "18:00", "GMT–19:00", "2027-03-30", "18:00", "BST–19:00"},
		},
		{
			name: "late evening ending after midnight", start: "2026-10-24 23:00", end: "2026-10-25 00:30", weeks: 2,
			want: []string{"2026-10-24", "23:00", "BST–00:30", "2026-10-31", "23:00", "GMT–00:30"},
		},
		{name: "no weeks", start: "2026-10-13 18:00", end: "2026-10-13 19:00", weeks: 0, wantProblems: []string{"weekly.count"}},
		{name: "too many weeks", start: "2026-10-13 18:00", end: "2026-10-13 19:00", weeks: 53, wantProblems: []string{"weekly.count"}},
		{name: "a date not in the series", start: "2026-10-13 18:00", end: "2026-10-13 19:00", weeks: 2, skip: []string{"2026-10-14"}, wantProblems: []string{"skip_dates"}},
		{name: "a date written wrongly", start: "2026-10-13 18:00", end: "2026-10-13 19:00", weeks: 2, skip: []string{"14/10/2026"}, wantProblems: []string{"skip_dates"}},
		{name: "everything skipped", start: "2026-10-13 18:00", end: "2026-10-13 19:00", weeks: 1, skip: []string{"2026-10-13"}, wantProblems: []string{"skip_dates"}},
		{name: "a time the clocks skip", start: "2027-03-21 01:30", end: "2027-03-21 02:45", weeks: 2, wantProblems: []string{"starts_at"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, p := weeklyDates(at(c.start), at(c.end), c.weeks, c.skip, london)
			var keys []string
			for k := range p {
				keys = append(keys, k)
			}
			if strings.Join(keys, ",") != strings.Join(c.wantProblems, ",") {
				t.Fatalf("problems %v, want %v", p, c.wantProblems)
			}
			if len(c.wantProblems) > 0 {
				return
			}
			if g := local(got); strings.Join(g, " ") != strings.Join(c.want, " ") {
				t.Fatalf("dates\n got %v\nwant %v", g, c.want)
			}
		})
	}
}

func TestShiftLikeAndNextWeek(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	at := func(s string) time.Time {
		v, _ := time.ParseInLocation("2006-01-02 15:04", s, london)
		return v.UTC()
	}
	show := func(a, b time.Time) string {
		return a.In(london).Format("2006-01-02 15:04") + "–" + b.In(london).Format("15:04")
	}
	old := Session{StartsAt: at("2026-10-20 18:00"), EndsAt: at("2026-10-20 19:00")}
	moved := Session{StartsAt: at("2026-10-21 17:30"), EndsAt: at("2026-10-21 19:00")} // a day later, earlier, longer
	later := Session{StartsAt: at("2026-10-27 18:00"), EndsAt: at("2026-10-27 19:00")} // after the clocks go back
	if got := show(shiftLike(old, moved, later, london)); got != "2026-10-28 17:30–19:00" {
		t.Errorf("shifted like the first: %s", got)
	}
	s := Session{StartsAt: at("2026-10-20 18:00"), EndsAt: at("2026-10-20 19:30")}
	if got := show(nextWeekLike(s, at("2026-10-01 09:00"), london)); got != "2026-10-27 18:00–19:30" {
		t.Errorf("next week: %s", got)
	}
	// A session long past is copied to its next weekday after now.
	if got := show(nextWeekLike(s, at("2026-12-02 09:00"), london)); got != "2026-12-08 18:00–19:30" {
		t.Errorf("next week after now: %s", got)
	}
	series := []Session{
		{ID: 1, StartsAt: at("2026-10-06 18:00")}, {ID: 2, StartsAt: at("2026-10-13 18:00")},
		{ID: 3, StartsAt: at("2026-10-20 18:00"), Status: SessionCancelled}, {ID: 4, StartsAt: at("2026-10-27 18:00")},
	}
	var ids []int64
	for _, x := range laterInSeries(series[1], series) {
		ids = append(ids, x.ID)
	}
	if len(ids) != 2 || ids[0] != 2 || ids[1] != 4 {
		t.Errorf("this and the rest = %v, want [2 4]", ids)
	}
}
