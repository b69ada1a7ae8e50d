package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaxSeriesWeeks is how many weeks one series may run.
const MaxSeriesWeeks = 52

// seriesDate is when one session of a series runs.
type seriesDate struct{ Start, End time.Time }

// weeklyDates works out the sessions of a weekly series: the first runs
// from start to end, and the others at the same wall-clock times in loc,
// one week apart, for weeks weeks, leaving out the dates (YYYY-MM-DD, in
// loc) in skip. A session keeps its local time across a change of the
// clocks: 18:00 in October and in November, although a week apart in UTC
// is then 169 hours. Problems are keyed by the API's field names.
func weeklyDates(start, end time.Time, weeks int, skip []string, loc *time.Location) ([]seriesDate, Problems) {
	p := Problems{}
	if weeks < 1 || weeks > MaxSeriesWeeks {
		p.Add("weekly.count", fmt.Sprintf("Choose how many weeks the series runs, from 1 to %d.", MaxSeriesWeeks))
	}
	skipped := map[string]bool{}
	for _, d := range skip {
		d = strings.TrimSpace(d)
		if _, err := time.ParseInLocation("2006-01-02", d, loc); err != nil {
			p.Add("skip_dates", fmt.Sprintf("Write each date to skip like 2026-12-22 (not %q).", d))
			continue
		}
		skipped[d] = false
	}
	if len(p) > 0 || start.IsZero() || end.IsZero() || !end.After(start) {
		return nil, p
	}
	ls, le := start.In(loc), end.In(loc)
	firstDay := time.Date(ls.Year(), ls.Month(), ls.Day(), 0, 0, 0, 0, time.UTC)
	endDays := int(time.Date(le.Year(), le.Month(), le.Day(), 0, 0, 0, 0, time.UTC).Sub(firstDay).Hours() / 24)
	var out []seriesDate
	for k := range weeks {
		s := time.Date(ls.Year(), ls.Month(), ls.Day()+7*k, ls.Hour(), ls.Minute(), ls.Second(), 0, loc)
		day := time.Date(ls.Year(), ls.Month(), ls.Day()+7*k, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		if _, ok := skipped[day]; ok {
			skipped[day] = true
			continue
		}
		e := time.Date(ls.Year(), ls.Month(), ls.Day()+7*k+endDays, le.Hour(), le.Minute(), le.Second(), 0, loc)
		if s.Hour() != ls.Hour() || s.Minute() != ls.Minute() || e.Hour() != le.Hour() || e.Minute() != le.Minute() {
			p.Add("starts_at", fmt.Sprintf("The clocks go forward on %s, so there is no %s that day: skip that date or choose another time.",
				s.Format("Mon 2 Jan 2006"), ls.Format("15:04")))
			continue
		}
		out = append(out, seriesDate{Start: s.UTC(), End: e.UTC()})
	}
	var stray []string
	for d, used := range skipped {
		if !used {
			stray = append(stray, d)
		}
	}
	if len(stray) > 0 {
		slices.Sort(stray)
		verb := "are"
		if len(stray) == 1 {
			verb = "is"
		}
		p.Add("skip_dates", fmt.Sprintf("%s %s not a date of the series (%ss, %s to %s).", strings.Join(stray, ", "), verb,
			ls.Format("Monday"), ls.Format("2 Jan 2006"), ls.AddDate(0, 0, 7*(weeks-1)).Format("2 Jan 2006")))
	}
	if len(out) == 0 && len(p) == 0 {
		p.Add("skip_dates", "Every date of the series is skipped: there is nothing to make.")
	}
	return out, p
}

// laterInSeries tells which sessions "this and the rest of the series"
// covers: s itself and those of its series that start after it and are not
// cancelled, in order.
func laterInSeries(s Session, series []Session) []Session {
	out := []Session{}
	for _, x := range series {
		if x.ID == s.ID || (x.Status != SessionCancelled && x.StartsAt.After(s.StartsAt)) {
			out = append(out, x)
		}
	}
	return out
}

// shiftLike is when a later session of a series runs after s was moved
// from old to new: the same change of local date, at the new local times
// of day, so that a series moved from 18:00 to 17:30 stays on its days,
// across a change of the clocks too.
func shiftLike(old, moved, later Session, loc *time.Location) (time.Time, time.Time) {
	days := func(a, b time.Time) int {
		a, b = a.In(loc), b.In(loc)
		da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
		db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
		return int(db.Sub(da).Hours() / 24)
	}
	shift := days(old.StartsAt, moved.StartsAt)
	ns, ne := moved.StartsAt.In(loc), moved.EndsAt.In(loc)
	l := later.StartsAt.In(loc)
	start := time.Date(l.Year(), l.Month(), l.Day()+shift, ns.Hour(), ns.Minute(), ns.Second(), 0, loc)
	end := time.Date(l.Year(), l.Month(), l.Day()+shift+days(moved.StartsAt, moved.EndsAt), ne.Hour(), ne.Minute(), ne.Second(), 0, loc)
	return start.UTC(), end.UTC()
}

// nextWeekLike is when a copy of s runs: a week later at the same local
// time, or as many weeks later as it takes to be after now.
func nextWeekLike(s Session, now time.Time, loc *time.Location) (time.Time, time.Time) {
	ls, le := s.StartsAt.In(loc), s.EndsAt.In(loc)
	for k := max(1, int(now.Sub(s.StartsAt).Hours()/(7*24))); ; k++ {
		start := time.Date(ls.Year(), ls.Month(), ls.Day()+7*k, ls.Hour(), ls.Minute(), ls.Second(), 0, loc)
		if start.After(now) {
			end := time.Date(le.Year(), le.Month(), le.Day()+7*k, le.Hour(), le.Minute(), le.Second(), 0, loc)
			return start.UTC(), end.UTC()
		}
	}
}
