package ical

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London must load on machines without zoneinfo
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
)

var stamp = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("load Europe/London: %v", err)
	}
	return loc
}

// parse reads the output back with an independent iCalendar parser.
func parse(t testing.TB, data []byte) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("parse back: %v\n%s", err, data)
	}
	return cal
}

// checkLines fails unless every line ends in CRLF, is at most 75 octets and is
// valid UTF-8 on its own (so no fold split a character).
func checkLines(t testing.TB, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("output does not end in CRLF")
	}
	lines := bytes.Split(data[:len(data)-2], []byte("\r\n"))
	for i, l := range lines {
		if bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.Valid(l) {
			t.Fatalf("line %d splits a UTF-8 character: %q", i+1, l)
		}
		if len(l) == 0 {
			t.Fatalf("line %d is empty", i+1)
		}
	}
}

func text(t testing.TB, props goical.Props, name string) string {
	t.Helper()
	p := props.Get(name)
	if p == nil {
		t.Fatalf("%s missing", name)
	}
	s, err := p.Text()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	loc := london(t)
	long := strings.Repeat("Auscultation, percussion; palpation — ", 40)
	tricky := "Bring: stethoscope, pen; notes\\slides\nRoom 2.14, then \"Skills Lab\"\r\nCafé 👩‍⚕️🩺 " + long
	events := []Event{
		{
			UID:      "session-1@rounds.test",
			Summary:  "Spring forward: cardiology",
			Start:    time.Date(2026, 3, 29, 0, 30, 0, 0, loc), // GMT
			End:      time.Date(2026, 3, 29, 2, 30, 0, 0, loc), // BST: 01:00–02:00 does not exist
			Status:   StatusConfirmed,
			Location: "Lecture Theatre 1",
			DTStamp:  stamp,
		},
		{
			UID:      "session-2@rounds.test",
			Sequence: 3,
			Summary:  "Fall back: respiratory",
			Start:    time.Date(2026, 10, 25, 0, 30, 0, 0, loc), // BST
			End:      time.Date(2026, 10, 25, 2, 30, 0, 0, loc), // GMT: 01:00–02:00 happens twice
			Status:   StatusCancelled,
			DTStamp:  stamp,
		},
		{
			UID:          "session-3@rounds.test",
			Sequence:     1,
			Summary:      "OSCE; stations, tips & tricks",
			Description:  tricky,
			Location:     "Skills Lab; Floor 2, Room 14",
			URL:          "https://rounds.test/sessions/3?utm=a,b;c",
			Start:        time.Date(2026, 6, 1, 18, 0, 0, 0, loc),
			End:          time.Date(2026, 6, 1, 19, 30, 0, 0, loc),
			Status:       StatusTentative,
			Organizer:    Person{Name: `Dr "Ana" Ruiz, FRCP`, Email: "ana@rounds.test"},
			Attendees:    []Person{{Name: "Sam Lee", Email: "sam@rounds.test"}},
			Categories:   []string{"OSCE", "Year 3, Year 4", "exam;prep"},
			LastModified: time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC),
		},
	}
	cal := &Calendar{Name: "Rounds – my sessions, 2026", RefreshInterval: time.Hour, Events: events}
	data, err := cal.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, data)

	got := parse(t, data)
	for _, want := range []struct{ name, value string }{
		{"VERSION", "2.0"}, {"PRODID", ProdID}, {"CALSCALE", "GREGORIAN"}, {"METHOD", "PUBLISH"},
		{"REFRESH-INTERVAL", "PT1H"}, {"X-PUBLISHED-TTL", "PT1H"},
	} {
		if p := got.Props.Get(want.name); p == nil || p.Value != want.value {
			t.Errorf("%s = %v, want %q", want.name, p, want.value)
		}
	}
	if name := text(t, got.Props, "X-WR-CALNAME"); name != cal.Name {
		t.Errorf("X-WR-CALNAME = %q, want %q", name, cal.Name)
	}

	parsed := got.Events()
	if len(parsed) != len(events) {
		t.Fatalf("parsed %d events, want %d", len(parsed), len(events))
	}
	for i, want := range events {
		ev := parsed[i]
		// Parse in another zone: UTC values must not depend on it.
		elsewhere := time.FixedZone("UTC-10", -10*3600)
		start, err := ev.DateTimeStart(elsewhere)
		if err != nil {
			t.Fatal(err)
		}
		end, err := ev.DateTimeEnd(elsewhere)
		if err != nil {
			t.Fatal(err)
		}
		if !start.Equal(want.Start) || !end.Equal(want.End) {
			t.Errorf("%s: parsed %v–%v, want %v–%v", want.UID, start, end, want.Start, want.End)
		}
		if v := ev.Props.Get("DTSTART").Value; !strings.HasSuffix(v, "Z") {
			t.Errorf("%s: DTSTART %q is not UTC", want.UID, v)
		}
		if uid := text(t, ev.Props, "UID"); uid != want.UID {
			t.Errorf("UID = %q, want %q", uid, want.UID)
		}
		if seq, err := ev.Props.Get("SEQUENCE").Int(); err != nil || seq != want.Sequence {
			t.Errorf("%s: SEQUENCE = %d (%v), want %d", want.UID, seq, err, want.Sequence)
		}
		if st, err := ev.Status(); err != nil || string(st) != want.Status {
			t.Errorf("%s: STATUS = %q (%v), want %q", want.UID, st, err, want.Status)
		}
		if ds, err := ev.Props.DateTime("DTSTAMP", nil); err != nil || !ds.Equal(stampOf(want)) {
			t.Errorf("%s: DTSTAMP = %v (%v), want %v", want.UID, ds, err, stampOf(want))
		}
		if s := text(t, ev.Props, "SUMMARY"); s != want.Summary {
			t.Errorf("SUMMARY = %q, want %q", s, want.Summary)
		}
		if want.Description != "" {
			if d := text(t, ev.Props, "DESCRIPTION"); d != cleanText(want.Description) {
				t.Errorf("DESCRIPTION = %q, want %q", d, cleanText(want.Description))
			}
		}
		if want.Location != "" {
			if l := text(t, ev.Props, "LOCATION"); l != want.Location {
				t.Errorf("LOCATION = %q, want %q", l, want.Location)
			}
		}
	}

	third := parsed[2]
	if u, err := third.Props.URI("URL"); err != nil || u.String() != events[2].URL {
		t.Errorf("URL = %v (%v), want %q", u, err, events[2].URL)
	}
	if cats, err := third.Props.Get("CATEGORIES").TextList(); err != nil || strings.Join(cats, "|") != "OSCE|Year 3, Year 4|exam;prep" {
		t.Errorf("CATEGORIES = %q (%v)", cats, err)
	}
	org := third.Props.Get("ORGANIZER")
	if org.Value != "mailto:ana@rounds.test" || org.Params.Get("CN") != `Dr 'Ana' Ruiz, FRCP` {
		t.Errorf("ORGANIZER = %q CN=%q", org.Value, org.Params.Get("CN"))
	}
	if att := third.Props.Get("ATTENDEE"); att == nil || att.Value != "mailto:sam@rounds.test" || att.Params.Get("CN") != "Sam Lee" {
		t.Errorf("ATTENDEE = %v", att)
	}
	if lm, err := third.Props.DateTime("LAST-MODIFIED", nil); err != nil || !lm.Equal(events[2].LastModified) {
		t.Errorf("LAST-MODIFIED = %v (%v)", lm, err)
	}
	if tr := parsed[1].Props.Get("TRANSP"); tr == nil || tr.Value != "TRANSPARENT" {
		t.Errorf("cancelled session TRANSP = %v, want TRANSPARENT", tr)
	}
}

func stampOf(e Event) time.Time {
	if e.DTStamp.IsZero() {
		return e.LastModified
	}
	return e.DTStamp
}

// TestClockChangeUTC pins the exact UTC values around the British clock changes.
func TestClockChangeUTC(t *testing.T) {
	loc := london(t)
	firstOneThirty := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 01:30 BST
	secondOneThirty := firstOneThirty.Add(time.Hour)                 // 01:30 GMT
	if a, b := firstOneThirty.In(loc), secondOneThirty.In(loc); a.Format("15:04") != b.Format("15:04") {
		t.Fatalf("test premise: %v and %v should read the same on a London clock", a, b)
	}
	tests := []struct {
		name       string
		start, end time.Time
		want       []string
	}{
		{"spring forward", time.Date(2026, 3, 29, 0, 30, 0, 0, loc), time.Date(2026, 3, 29, 2, 30, 0, 0, loc),
			[]string{"DTSTART:20260329T003000Z", "DTEND:20260329T013000Z"}},
		{"fall back", time.Date(2026, 10, 25, 0, 30, 0, 0, loc), time.Date(2026, 10, 25, 2, 30, 0, 0, loc),
			[]string{"DTSTART:20261024T233000Z", "DTEND:20261025T023000Z"}},
		{"repeated hour, first 01:30", firstOneThirty.In(loc), firstOneThirty.In(loc).Add(30 * time.Minute),
			[]string{"DTSTART:20261025T003000Z", "DTEND:20261025T010000Z"}},
		{"repeated hour, second 01:30", secondOneThirty.In(loc), secondOneThirty.In(loc).Add(30 * time.Minute),
			[]string{"DTSTART:20261025T013000Z", "DTEND:20261025T020000Z"}},
		{"sub-second truncated", time.Date(2026, 6, 1, 9, 0, 0, 999_000_000, loc), time.Date(2026, 6, 1, 10, 0, 0, 0, loc),
			[]string{"DTSTART:20260601T080000Z", "DTEND:20260601T090000Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := &Calendar{Events: []Event{{UID: "s@x", Start: tt.start, End: tt.end, DTStamp: stamp}}}
			data, err := cal.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !bytes.Contains(data, []byte("\r\n"+w+"\r\n")) {
					t.Errorf("missing %q in\n%s", w, data)
				}
			}
		})
	}
}

func TestFoldingAndEscaping(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"specials", "a\\b;c,d\ne", `a\\b\;c\,d\ne`},
		{"crlf and cr", "a\r\nb\rc", `a\nb\nc`},
		{"controls dropped, tab kept", "a\x00b\x07c\td\x7f", "abc\td"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got strings.Builder
			escapeText(tt.in, func(s string) { got.WriteString(s) })
			if got.String() != tt.want {
				t.Errorf("escapeText(%q) = %q, want %q", tt.in, got.String(), tt.want)
			}
		})
	}

	// A fold never separates a backslash from the character it escapes, and
	// continuation lines start with exactly one space.
	var b builder
	b.text("DESCRIPTION", strings.Repeat(";", 200)+strings.Repeat("é", 100)+strings.Repeat("🩺", 50))
	out := b.buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(lines) < 5 {
		t.Fatalf("expected folding, got %d lines", len(lines))
	}
	for i, l := range lines {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets", i, len(l))
		}
		if i > 0 && !strings.HasPrefix(l, " ") {
			t.Errorf("continuation line %d does not start with a space: %q", i, l)
		}
		if strings.HasSuffix(l, `\`) {
			t.Errorf("line %d ends inside an escape: %q", i, l)
		}
	}
	// The first line fills up to the limit exactly where it can.
	if len(lines[0]) != 75 && len(lines[0]) != 74 {
		t.Errorf("first line is %d octets, want the line filled", len(lines[0]))
	}
}

func TestMethods(t *testing.T) {
	ev := Event{
		UID: "session-9@rounds.test", Summary: "Neuro", DTStamp: stamp,
		Start: stamp.Add(24 * time.Hour), End: stamp.Add(25 * time.Hour),
		Organizer: Person{Name: "Rounds", Email: "noreply@rounds.test"},
		Attendees: []Person{{Email: "sam@rounds.test"}},
	}
	req := &Calendar{Method: MethodRequest, Events: []Event{ev}}
	data, err := req.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if m := parse(t, data).Props.Get("METHOD"); m == nil || m.Value != "REQUEST" {
		t.Errorf("METHOD = %v, want REQUEST", m)
	}
	if bytes.Contains(data, []byte("X-WR-CALNAME")) {
		t.Errorf("unnamed calendar has X-WR-CALNAME")
	}

	ev.Status, ev.Sequence = StatusCancelled, 1
	cancel := &Calendar{Method: MethodCancel, Events: []Event{ev}}
	data, err = cancel.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\r\nSTATUS:CANCELLED\r\n")) || !bytes.Contains(data, []byte("\r\nSEQUENCE:1\r\n")) {
		t.Errorf("cancel lacks STATUS or SEQUENCE:\n%s", data)
	}
}

func TestInvalid(t *testing.T) {
	ok := Event{UID: "s@x", Start: stamp, End: stamp.Add(time.Hour), DTStamp: stamp}
	tests := []struct {
		name   string
		method string
		edit   func(*Event)
	}{
		{"no uid", "", func(e *Event) { e.UID = " " }},
		{"no start", "", func(e *Event) { e.Start = time.Time{} }},
		{"end before start", "", func(e *Event) { e.End = e.Start.Add(-time.Minute) }},
		{"no stamp", "", func(e *Event) { e.DTStamp = time.Time{} }},
		{"bad status", "", func(e *Event) { e.Status = "DONE" }},
		{"negative sequence", "", func(e *Event) { e.Sequence = -1 }},
		{"relative url", "", func(e *Event) { e.URL = "/sessions/1" }},
		{"url with newline", "", func(e *Event) { e.URL = "https://x/\r\nX-EVIL:1" }},
		{"organizer without email", "", func(e *Event) { e.Organizer = Person{Name: "A"} }},
		{"attendee email with newline", "", func(e *Event) { e.Attendees = []Person{{Email: "a@x\r\nX:1"}} }},
		{"year 10000", "", func(e *Event) { e.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"unknown method", "ADD", func(e *Event) {}},
		{"request without organizer", MethodRequest, func(e *Event) {}},
		{"cancel without cancelled status", MethodCancel, func(e *Event) { e.Organizer = Person{Email: "o@x"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.edit(&e)
			var buf bytes.Buffer
			err := (&Calendar{Method: tt.method, Events: []Event{e}}).Write(&buf)
			if err == nil {
				t.Fatalf("no error; wrote\n%s", buf.Bytes())
			}
			if !strings.HasPrefix(err.Error(), "ical: ") {
				t.Errorf("error %q lacks the ical: prefix", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

type failWriter struct{}

var errDisk = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDisk }

func TestWriteErrorWrapped(t *testing.T) {
	err := (&Calendar{}).Write(failWriter{})
	if !errors.Is(err, errDisk) {
		t.Fatalf("Write error = %v, want it to wrap %v", err, errDisk)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "PT1H", 90 * time.Minute: "PT1H30M", 24 * time.Hour: "P1D",
		26*time.Hour + 5*time.Second: "P1DT2H5S", time.Millisecond: "PT1S",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// FuzzText checks that any text written as SUMMARY, DESCRIPTION, LOCATION and
// a category reads back unchanged (after cleanText) through a real parser, and
// that every line stays within the limits.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"", "plain", "a,b;c\\d\ne", "\\n", "\\", ",,,;;;", "a\r\nb\rc\n", "\t tab",
		"👩‍⚕️🩺 emoji", strings.Repeat("é", 80), strings.Repeat("x", 74) + "é",
		strings.Repeat(`\;`, 60), "\xff\xfe invalid", "\x00\x1f\x7f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cal := &Calendar{Name: s, Events: []Event{{
			UID: "fuzz@rounds.test", Summary: s, Description: s, Location: s,
			Categories: []string{s, "x"},
			Start:      stamp, End: stamp.Add(time.Hour), DTStamp: stamp,
		}}}
		data, err := cal.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		checkLines(t, data)
		want := cleanText(s)
		got := parse(t, data)
		if s != "" {
			if name := text(t, got.Props, "X-WR-CALNAME"); name != want {
				t.Fatalf("X-WR-CALNAME = %q, want %q", name, want)
			}
		}
		ev := got.Events()[0]
		for _, prop := range []string{"SUMMARY", "DESCRIPTION", "LOCATION"} {
			if s == "" {
				if ev.Props.Get(prop) != nil {
					t.Fatalf("empty %s written", prop)
				}
				continue
			}
			if v := text(t, ev.Props, prop); v != want {
				t.Fatalf("%s = %q, want %q", prop, v, want)
			}
		}
		cats, err := ev.Props.Get("CATEGORIES").TextList()
		if err != nil || len(cats) != 2 || cats[0] != want || cats[1] != "x" {
			t.Fatalf("CATEGORIES = %q (%v), want [%q x]", cats, err, want)
		}
	})
}
