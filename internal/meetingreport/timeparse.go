package meetingreport

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxRowSeconds bounds a single row's duration; nothing longer is a meeting.
const maxRowSeconds = 7 * 24 * 3600

// dateTimeRE matches the timestamps Teams and Zoom write in their various
// locales: 11/14/25, 6:02:31 PM; 14/11/2025 18:02:31; 14.11.25 18:02;
// 2025-11-14 18:02:31; 2025-11-14T18:02:31Z.
var dateTimeRE = regexp.MustCompile(`^(\d{1,4})([/.\-])(\d{1,2})[/.\-](\d{1,4})(?:\s*,?\s*|T)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d{1,9})?\s*(?:([AaPp])\.?[Mm]\.?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$`)

// dateOrder says how a numeric date with the year last is read.
type dateOrder int

const (
	monthFirst dateOrder = iota // 11/14/2025, the US order Zoom and US Teams use
	dayFirst                    // 14/11/2025, the UK order
)

// guessDateOrder decides, once for the whole file, whether dates like
// 03/04/2025 are month- or day-first. A date whose first or second number is
// above 12 settles it; failing that, a 12-hour clock (AM/PM) suggests a US
// locale and so month-first, and a 24-hour clock day-first.
func guessDateOrder(samples []string) dateOrder {
	var mdy, dmy, ampm, clock24 int
	for _, s := range samples {
		m := dateTimeRE.FindStringSubmatch(cleanCell(s))
		if m == nil || len(m[1]) == 4 || m[2] == "." {
			continue
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[3])
		switch {
		case a > 12 && b <= 12:
			dmy++
		case b > 12 && a <= 12:
			mdy++
		}
		if m[8] != "" {
			ampm++
		} else {
			clock24++
		}
	}
	switch {
	case mdy > dmy:
		return monthFirst
	case dmy > mdy:
		return dayFirst
	case ampm > 0 && ampm >= clock24:
		return monthFirst
	case clock24 > 0:
		return dayFirst
	}
	return monthFirst
}

// parseTime reads a timestamp leniently; times without a zone are taken to
// be in loc. It reports false for anything it cannot read with confidence.
func parseTime(s string, order dateOrder, loc *time.Location) (time.Time, bool) {
	m := dateTimeRE.FindStringSubmatch(cleanCell(s))
	if m == nil {
		return time.Time{}, false
	}
	n := func(i int) int {
		v, _ := strconv.Atoi(m[i])
		return v
	}
	var year, month, day int
	switch {
	case len(m[1]) == 4:
		if m[2] == "." {
			return time.Time{}, false
		}
		year, month, day = n(1), n(3), n(4)
	case len(m[1]) > 2 || (len(m[4]) != 2 && len(m[4]) != 4):
		return time.Time{}, false
	case m[2] == "." || order == dayFirst:
		day, month, year = n(1), n(3), n(4)
	default:
		month, day, year = n(1), n(3), n(4)
	}
	if year < 100 {
		year += 2000
	}
	hour, minute, sec := n(5), n(6), 0
	if m[7] != "" {
		sec = n(7)
	}
	if minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	sec = min(sec, 59) // a leap second is read as the second before it
	switch strings.ToUpper(m[8]) {
	case "A", "P":
		if hour < 1 || hour > 12 {
			return time.Time{}, false
		}
		hour %= 12
		if strings.EqualFold(m[8], "P") {
			hour += 12
		}
	default:
		if hour > 23 {
			return time.Time{}, false
		}
	}
	zone := loc
	switch z := m[9]; {
	case z == "Z" || z == "UTC" || z == "GMT":
		zone = time.UTC
	case z != "":
		z = strings.ReplaceAll(z, ":", "")
		h, _ := strconv.Atoi(z[1:3])
		mm, _ := strconv.Atoi(z[3:5])
		off := (h*60 + mm) * 60
		if z[0] == '-' {
			off = -off
		}
		zone = time.FixedZone("", off)
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, zone)
	if t.Day() != day { // 31 April and the like
		return time.Time{}, false
	}
	return t, true
}

// parseClockDuration reads a duration as Teams writes it ("1h 27m 51s",
// "45m 3s", "59s", also "1 hr 2 min", "1:27:51" or "27:51"). A bare number is
// taken as minutes. It returns whole seconds.
func parseClockDuration(s string) (int64, bool) {
	s = strings.ToLower(cleanCell(s))
	if s == "" {
		return 0, false
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, false
		}
		var total int64
		for i, p := range parts {
			v, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil || v < 0 || v > maxRowSeconds || (i > 0 && v > 59) {
				return 0, false
			}
			total = total*60 + v
		}
		return checkSeconds(total) // h:mm:ss or mm:ss
	}
	var total float64
	units := 0
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, false
		}
		v, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || v > maxRowSeconds {
			return 0, false
		}
		s = strings.TrimLeft(s[i:], " ")
		j := 0
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		unit := s[:j]
		s = strings.TrimLeft(s[j:], " ,")
		switch unit {
		case "d", "day", "days":
			total += v * 86400
		case "h", "hr", "hrs", "hour", "hours":
			total += v * 3600
		case "m", "min", "mins", "minute", "minutes":
			total += v * 60
		case "s", "sec", "secs", "second", "seconds":
			total += v
		case "":
			if units > 0 || s != "" {
				return 0, false
			}
			total += v * 60 // a bare number: minutes
		default:
			return 0, false
		}
		units++
	}
	return checkSeconds(int64(math.Round(total)))
}

// parseMinutes reads a duration given in minutes, as Zoom writes it ("43",
// sometimes "43.5"), falling back to the clock forms.
func parseMinutes(s string) (int64, bool) {
	c := cleanCell(s)
	v, err := strconv.ParseFloat(c, 64)
	if err != nil {
		return parseClockDuration(c)
	}
	if math.IsNaN(v) || v < 0 || v*60 > maxRowSeconds {
		return 0, false
	}
	return int64(math.Round(v * 60)), true
}

func checkSeconds(v int64) (int64, bool) {
	if v < 0 || v > maxRowSeconds {
		return 0, false
	}
	return v, true
}
