package meetingreport

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics and never accepts garbage as
// data: whatever it returns without an error is a real list of people.
func FuzzParse(f *testing.F) {
	seeds := [][]byte{
		utf16LE(crlf(teamsReport), true),
		[]byte(teamsReport),
		[]byte(teamsReportUK),
		[]byte(teamsLegacy),
		[]byte(zoomWithMeeting),
		[]byte(zoomPlain),
		[]byte(zoomParticipants),
		[]byte("Name;Email;Duration\r\nZo\xeb;z@e.org;1h\r\n"),
		[]byte("Name,Duration\n\"a,b\",5\n\"unclosed,5\n"),
		[]byte("Full Name\tUser Action\tTimestamp\nA\tLeft\t1/2/2025 1:00 PM\nA\tJoined\t1/2/2025 1:05 PM\n"),
		[]byte("Name,Join Time,Leave Time\nA,2025-11-14T18:00:00Z,2025-11-14T17:00:00Z\n"),
		[]byte("PK\x03\x04"),
		{},
		{0xFF, 0xFE, 0, 0},
		[]byte("Name\tDuration\n(Guest)\t5m\n"),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := parse(data)
		if err != nil {
			if rep != nil {
				t.Fatal("a report and an error")
			}
			return
		}
		if rep.Source != SourceTeams && rep.Source != SourceZoom {
			t.Fatalf("Source = %q", rep.Source)
		}
		if len(rep.Participants) == 0 {
			t.Fatal("accepted a report without participants")
		}
		for _, p := range rep.Participants {
			if strings.TrimSpace(p.Name) == "" && p.Email == "" {
				t.Fatalf("participant without name or e-mail: %+v", p)
			}
			if p.Minutes < 0 || p.Joins < 1 {
				t.Fatalf("participant with Minutes %d, Joins %d", p.Minutes, p.Joins)
			}
			if p.Email != strings.ToLower(strings.TrimSpace(p.Email)) || (p.Email != "" && !strings.Contains(p.Email, "@")) {
				t.Fatalf("e-mail %q not cleaned", p.Email)
			}
			if !utf8.ValidString(p.Name) {
				t.Fatalf("name %q is not UTF-8", p.Name)
			}
		}
	})
}
