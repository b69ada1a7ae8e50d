package meetingreport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// want is the part of a participant a test checks; times are checked apart.
type want struct {
	Name, Email    string
	Minutes, Joins int
}

func check(t *testing.T, rep *Report, err error, source string, wants []want) {
	t.Helper()
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if rep.Source != source {
		t.Errorf("Source = %q, want %q", rep.Source, source)
	}
	if len(rep.Participants) != len(wants) {
		t.Fatalf("%d participants, want %d: %+v", len(rep.Participants), len(wants), rep.Participants)
	}
	for i, w := range wants {
		p := rep.Participants[i]
		got := want{p.Name, p.Email, p.Minutes, p.Joins}
		if got != w {
			t.Errorf("participant %d = %+v, want %+v", i, got, w)
		}
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTeams(t *testing.T) {
	wants := []want{
		{"Priya Shah", "priya.shah@student.example.ac.uk", 89, 1},
		{"Tom Evans", "tom.evans@student.example.ac.uk", 75, 2},
		{"Zoë Ó Briain", "", 45, 1},
		{"Sam Lee", "sam.lee@student.example.ac.uk", 0, 1},
	}
	inputs := map[string][]byte{
		"UTF-16LE with BOM, CRLF":    utf16LE(crlf(teamsReport), true),
		"UTF-16LE with BOM, LF":      utf16LE(teamsReport, true),
		"UTF-16LE without BOM, CRLF": utf16LE(crlf(teamsReport), false),
		"UTF-16BE with BOM":          encodeUTF16(crlf(teamsReport), true, binary.BigEndian),
		"UTF-8 with BOM":             append([]byte("\uFEFF"), teamsReport...),
		"UTF-8":                      []byte(teamsReport),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			rep, err := parse(data)
			check(t, rep, err, SourceTeams, wants)
			if rep == nil {
				return
			}
			if rep.Title != "Renal physiology: near-peer teaching" {
				t.Errorf("Title = %q", rep.Title)
			}
			if !rep.Start.Equal(at("2025-11-14 18:00:12")) || !rep.End.Equal(at("2025-11-14 19:30:03")) {
				t.Errorf("Start, End = %v, %v", rep.Start, rep.End)
			}
			tom := rep.Participants[1]
			if !tom.FirstJoin.Equal(at("2025-11-14 18:02:31")) || !tom.LastLeave.Equal(at("2025-11-14 19:29:40")) {
				t.Errorf("Tom joined %v, left %v", tom.FirstJoin, tom.LastLeave)
			}
			if rep.Skipped != 0 {
				t.Errorf("Skipped = %d", rep.Skipped)
			}
		})
	}
}

func TestTeamsLocation(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	rep, err := ParseIn(utf16LE(teamsReport, true), london)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 11, 14, 18, 0, 12, 0, london); !rep.Participants[0].FirstJoin.Equal(want) {
		t.Errorf("FirstJoin = %v, want %v", rep.Participants[0].FirstJoin, want)
	}
}

func TestTeamsUKLocale(t *testing.T) {
	rep, err := parse(utf16LE(crlf(teamsReportUK), true))
	check(t, rep, err, SourceTeams, []want{
		{"Priya Shah", "priya.shah@student.example.ac.uk", 89, 1},
		{"Tom Evans", "tom.evans@student.example.ac.uk", 75, 1},
	})
	if rep != nil && !rep.Participants[1].FirstJoin.Equal(at("2025-11-14 18:02:31")) {
		t.Errorf("FirstJoin = %v", rep.Participants[1].FirstJoin)
	}
}

func TestTeamsLegacy(t *testing.T) {
	rep, err := parse(utf16LE(crlf(teamsLegacy), true))
	check(t, rep, err, SourceTeams, []want{
		{"Priya Shah", "", 89, 1},
		{"Tom Evans", "", 75, 2},
		{"Zoë Ó Briain", "", 45, 1},
		{"Sam Lee", "", 10, 1}, // still there when the list was downloaded
	})
	if rep != nil && !rep.Participants[3].LastLeave.Equal(at("2025-11-14 19:30:03")) {
		t.Errorf("Sam left at %v", rep.Participants[3].LastLeave)
	}
}

func TestTeamsUnreadableTimes(t *testing.T) {
	// Durations are enough; timestamps that cannot be read are left zero.
	s := strings.ReplaceAll(teamsReport, "11/14/25, ", "sometime ")
	rep, err := parse(utf16LE(s, true))
	check(t, rep, err, SourceTeams, []want{
		{"Priya Shah", "priya.shah@student.example.ac.uk", 89, 1},
		{"Tom Evans", "tom.evans@student.example.ac.uk", 75, 2},
		{"Zoë Ó Briain", "", 45, 1},
		{"Sam Lee", "sam.lee@student.example.ac.uk", 0, 1},
	})
	if rep != nil && (!rep.Participants[0].FirstJoin.IsZero() || !rep.Start.IsZero()) {
		t.Error("unreadable times were not left zero")
	}
}

func TestZoom(t *testing.T) {
	wants := []want{
		{"Priya Shah", "priya.shah@student.example.ac.uk", 92, 1},
		{"Evans, Tom", "tom.evans@student.example.ac.uk", 76, 2},
		{"Zoë Ó Briain", "", 46, 1}, // the waiting room does not count
	}
	inputs := map[string][]byte{
		"UTF-8 with BOM, CRLF": append([]byte("\uFEFF"), crlf(zoomWithMeeting)...),
		"UTF-8, LF":            []byte(zoomWithMeeting),
		"without meeting":      []byte(zoomWithMeeting[strings.Index(zoomWithMeeting, "Name (Original"):]),
		"UTF-16LE":             utf16LE(crlf(zoomWithMeeting), true),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			rep, err := parse(data)
			check(t, rep, err, SourceZoom, wants)
			if rep == nil {
				return
			}
			tom := rep.Participants[1]
			if !tom.FirstJoin.Equal(at("2025-11-14 18:02:31")) || !tom.LastLeave.Equal(at("2025-11-14 19:29:40")) {
				t.Errorf("Tom joined %v, left %v", tom.FirstJoin, tom.LastLeave)
			}
			if name != "without meeting" && (rep.Title != "Cardiology, part 2: ECGs" || !rep.Start.Equal(at("2025-11-14 18:00:05"))) {
				t.Errorf("Title, Start = %q, %v", rep.Title, rep.Start)
			}
		})
	}
}

func TestZoomMerging(t *testing.T) {
	// Anna's phone (no e-mail) overlapped her laptop: merged by name, and the
	// overlap is not counted twice.
	rep, err := parse([]byte(crlf(zoomPlain)))
	check(t, rep, err, SourceZoom, []want{
		{"Anna Kowalska", "anna.kowalska@student.example.ac.uk", 60, 2},
		{`Dr "Mac" MacLeod, Consultant`, "", 30, 1},
	})
}

func TestZoomParticipantsExport(t *testing.T) {
	rep, err := parse([]byte(crlf(zoomParticipants)))
	check(t, rep, err, SourceZoom, []want{
		{"Priya Shah", "priya.shah@student.example.ac.uk", 92, 1},
		{"Evans, Tom", "tom.evans@student.example.ac.uk", 76, 1},
		{"Zoë Ó Briain", "", 46, 1},
	})
	if rep != nil && !rep.Participants[0].FirstJoin.IsZero() {
		t.Error("FirstJoin set without a join time")
	}
}

func TestOtherLayouts(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		source string
		wants  []want
	}{
		{
			"Excel CSV in Windows-1252, semicolons",
			[]byte("Name;Email;Duration\r\nZo\xeb \xd3 Briain;ZOE@EXAMPLE.ORG;1h 2m\r\n"),
			SourceTeams,
			[]want{{"Zoë Ó Briain", "zoe@example.org", 62, 1}},
		},
		{
			"Teams re-saved as CSV by Excel",
			[]byte("Name,First Join,Last Leave,In-Meeting Duration,Email\n" +
				`Priya Shah,"11/14/25, 6:00:12 PM","11/14/25, 7:30:03 PM",1h 29m 51s,priya@example.org` + "\n"),
			SourceTeams,
			[]want{{"Priya Shah", "priya@example.org", 89, 1}},
		},
		{
			"quoted name with tab and newline",
			[]byte("Name (Original Name),User Email,Duration (Minutes)\n\"Li\tWei\n(phone)\",,12\n"),
			SourceZoom,
			[]want{{"Li Wei (phone)", "", 12, 1}},
		},
		{
			"stray quote in a tab file",
			[]byte("Name\tDuration\n\"Doc Smith\t10m\nAna\t5m\n"),
			SourceTeams,
			[]want{{`"Doc Smith`, "", 10, 1}, {"Ana", "", 5, 1}},
		},
		{
			"no duration column: join and leave times",
			[]byte("Name,Join Time,Leave Time\nAna,2025-11-14 18:00:00,2025-11-14 18:30:30\n"),
			SourceTeams,
			[]want{{"Ana", "", 30, 1}},
		},
		{
			"unreadable rows are skipped",
			[]byte("Name,Duration (Minutes)\nAna,10\n,5\nBen,soon\n"),
			SourceZoom,
			[]want{{"Ana", "", 10, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := parse(tt.data)
			check(t, rep, err, tt.source, tt.wants)
		})
	}
}

func TestRefused(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	xlsx := append([]byte("PK\x03\x04\x14\x00\x06\x00"), junk[:200]...)
	tests := []struct {
		name string
		data []byte
		says string
	}{
		{"empty", nil, "empty"},
		{"only white space", []byte(" \r\n\t\r\n"), "empty"},
		{"UTF-16 BOM only", []byte{0xFF, 0xFE}, "empty"},
		{"binary junk", junk, "not text"},
		{"xlsx", xlsx, "save it as CSV"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "save it as CSV"},
		{"pdf", []byte("%PDF-1.7\n..."), "PDF"},
		{"prose", []byte("Dear all,\nthanks for coming to tonight's session.\n"), "no participant table"},
		{"other CSV", []byte("Student,Year,Score\nAna,2,71\n"), "no participant table"},
		{"Teams header only", utf16LE(crlf(tsv(row("Name", "First Join", "Last Leave", "In-Meeting Duration", "Email"))), true), "no participants"},
		{"Teams sections, no rows", utf16LE(crlf(teamsReport[:strings.Index(teamsReport, "Priya Shah\t")]), true), "no participants"},
		{"Zoom header only", []byte("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n"), "no participants"},
		{"rows without durations", []byte("Name,Duration\nAna,\nBen,later\n"), "could be read"},
		{"legacy without times", []byte("Full Name\tUser Action\tTimestamp\nAna\tJoined\tyesterday\n"), "none of its join and leave times"},
		{"too large", append([]byte("Name,Duration\n"), bytes.Repeat([]byte("Ana,1\n"), MaxSize/6+1)...), "larger than 10 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := parse(tt.data)
			if err == nil {
				t.Fatalf("parse accepted it: %+v", rep)
			}
			if !errors.Is(err, ErrUnrecognised) {
				t.Errorf("error %v is not ErrUnrecognised", err)
			}
			var ue *UnrecognisedError
			if !errors.As(err, &ue) || !strings.Contains(ue.Reason, tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			if msg := err.Error(); msg == "" || msg[0] < 'A' || msg[0] > 'Z' || !strings.HasSuffix(msg, ".") {
				t.Errorf("error %q is not a sentence", msg)
			}
		})
	}
}

func TestRead(t *testing.T) {
	rep, err := read(strings.NewReader(zoomParticipants), nil)
	if err != nil || len(rep.Participants) != 3 {
		t.Fatalf("read = %+v, %v", rep, err)
	}
	_, err = read(bytes.NewReader(make([]byte, MaxSize+10)), nil)
	if !errors.Is(err, ErrUnrecognised) {
		t.Errorf("read of an oversized file: %v", err)
	}
}

func TestReadRecords(t *testing.T) {
	tests := []struct {
		in     string
		delim  byte
		quotes bool
		want   [][]string
	}{
		{"a,b\r\nc,d", ',', true, [][]string{{"a", "b"}, {"c", "d"}}},
		{"a,b\n\nc\n", ',', true, [][]string{{"a", "b"}, {""}, {"c"}}},
		{`"x, ""y""",z` + "\n", ',', true, [][]string{{`x, "y"`, "z"}}},
		{"\"line\r\nbreak\"\tb\n", '\t', true, [][]string{{"line\r\nbreak", "b"}}},
		{`"ab"c,d`, ',', true, [][]string{{"abc", "d"}}},
		{`"never closed,d` + "\ne", ',', true, [][]string{{`"never closed`, "d"}, {"e"}}},
		{`"a"` + "\t" + `"b"`, '\t', false, [][]string{{`"a"`, `"b"`}}},
		{"a,", ',', true, [][]string{{"a", ""}}},
		{"a\rb", ',', true, [][]string{{"a"}, {"b"}}},
		{`""`, ',', true, [][]string{{""}}},
	}
	for _, tt := range tests {
		got := readRecords(tt.in, tt.delim, tt.quotes)
		if !equalRecords(got, tt.want) {
			t.Errorf("readRecords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func equalRecords(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") || len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}

func TestDurations(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1h 27m 51s", 5271, true},
		{"45m 3s", 2703, true},
		{"59s", 59, true},
		{"2h", 7200, true},
		{"1 hr 2 mins", 3720, true},
		{"1:27:51", 5271, true},
		{"27:51", 1671, true},
		{"12", 720, true},
		{" 0s ", 0, true},
		{"", 0, false},
		{"-5m", 0, false},
		{"soon", 0, false},
		{"5 parsecs", 0, false},
		{"1:75:00", 0, false},
		{"99999999h", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseClockDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseClockDuration(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{{"43", 2580, true}, {"0.5", 30, true}, {"-1", 0, false}, {"NaN", 0, false}, {"1e9", 0, false}, {"1h 2m", 3720, true}} {
		got, ok := parseMinutes(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseMinutes(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTimes(t *testing.T) {
	tests := []struct {
		in    string
		order dateOrder
		want  string // time.DateTime in UTC, or "" when unreadable
	}{
		{"11/14/25, 6:02:31 PM", monthFirst, "2025-11-14 18:02:31"},
		{"11/14/2025 06:02:31 PM", monthFirst, "2025-11-14 18:02:31"},
		{"11/14/2025 12:02:31 AM", monthFirst, "2025-11-14 00:02:31"},
		{"11/14/2025 12:02:31 p.m.", monthFirst, "2025-11-14 12:02:31"},
		{"11/14/25, 6:02:31\u202fPM", monthFirst, "2025-11-14 18:02:31"},
		{"14/11/2025, 18:02:31", dayFirst, "2025-11-14 18:02:31"},
		{"03/04/2025 18:02", dayFirst, "2025-04-03 18:02:00"},
		{"03/04/2025 18:02", monthFirst, "2025-03-04 18:02:00"},
		{"14.11.25 18:02:31", monthFirst, "2025-11-14 18:02:31"},
		{"2025-11-14 18:02:31", dayFirst, "2025-11-14 18:02:31"},
		{"2025-11-14T18:02:31Z", dayFirst, "2025-11-14 18:02:31"},
		{"2025-11-14T19:02:31+01:00", dayFirst, "2025-11-14 18:02:31"},
		{"2025-11-14 18:02:31.250", dayFirst, "2025-11-14 18:02:31"},
		{"31/04/2025 18:02", dayFirst, ""},
		{"13/14/2025 18:02", dayFirst, ""},
		{"11/14/2025 13:02 PM", monthFirst, ""},
		{"11/14/2025", monthFirst, ""},
		{"later", monthFirst, ""},
	}
	for _, tt := range tests {
		got, ok := parseTime(tt.in, tt.order, time.UTC)
		s := ""
		if ok {
			s = got.UTC().Format(time.DateTime)
		}
		if s != tt.want {
			t.Errorf("parseTime(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}

	orders := []struct {
		samples []string
		want    dateOrder
	}{
		{[]string{"03/04/25, 6:02 PM", "03/14/25, 6:02 PM"}, monthFirst},
		{[]string{"03/04/2025 18:02", "14/03/2025 18:02"}, dayFirst},
		{[]string{"03/04/2025 6:02 PM"}, monthFirst},
		{[]string{"03/04/2025 18:02"}, dayFirst},
		{nil, monthFirst},
	}
	for _, tt := range orders {
		if got := guessDateOrder(tt.samples); got != tt.want {
			t.Errorf("guessDateOrder(%q) = %v, want %v", tt.samples, got, tt.want)
		}
	}
}

func TestCleanEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Priya.Shah@Example.AC.UK ": "priya.shah@example.ac.uk",
		"mailto:a@b.org":             "a@b.org",
		"<a@b.org>":                  "a@b.org",
		"":                           "",
		"N/A":                        "",
		"a@@b":                       "",
		"@b.org":                     "",
		"a b@c.org":                  "",
	} {
		if got := cleanEmail(in); got != want {
			t.Errorf("cleanEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
