package models

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSessionInput: whatever a client sends as a session, reading it and
// checking it never panics, and a session the checks accept holds what
// every page and export relies on.
func FuzzSessionInput(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Cardiac murmurs","format":"lecture","mode":"hybrid","venue":"LT1","online_url":"https://zoom.example/j/1",` +
			`"year_groups":[1,2],"in_person_capacity":40,"online_capacity":0,"starts_at":"2026-11-03T18:00:00Z","ends_at":"2026-11-03T19:30:00Z"}`,
		`{"year_groups":[0,7,-1]}`, `{"starts_at":"2026-11-03T18:00:00+01:00","ends_at":"2026-11-03T17:00:00Z"}`,
		`{"in_person_capacity":-5,"online_capacity":99999999}`, `{"title":"\u0000"}`, `{"online_url":"javascript:alert(1)"}`,
		`{"title":null}`, `{"starts_at":"0001-01-01T00:00:00Z"}`, `{"year_groups":"1,2"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in SessionInput
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		p := Problems{}
		var s Session
		applySessionInput(p, &s, in)
		checkSession(p, s)
		err := p.Err()
		if err == nil != (len(p) == 0) {
			t.Fatalf("%d problems but error %v", len(p), err)
		}
		var ve *ValidationError
		if err != nil {
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		switch {
		case s.Title == "" || !utf8.ValidString(s.Title+s.Description+s.Topic+s.Venue):
			t.Fatalf("accepted text: %+v", s)
		case s.YearGroups == 0 || s.YearGroups&^YearGroupsOf(1, 2, 3, 4, 5, 6) != 0:
			t.Fatalf("accepted years %b", s.YearGroups)
		case !s.EndsAt.After(s.StartsAt) || s.EndsAt.Sub(s.StartsAt) > MaxSessionLength:
			t.Fatalf("accepted times %s – %s", s.StartsAt, s.EndsAt)
		case s.InPersonCapacity < 0 || s.InPersonCapacity > MaxSessionCapacity:
			t.Fatalf("accepted %d seats", s.InPersonCapacity)
		case s.OnlineURL != "" && !strings.HasPrefix(s.OnlineURL, "https://") && !strings.HasPrefix(s.OnlineURL, "http://"):
			t.Fatalf("accepted link %q", s.OnlineURL)
		}
		if !sessionChoice(s.Mode, ModeInPerson, ModeOnline, ModeHybrid) || !sessionChoice(s.Format, FormatLecture, FormatSmallGroup, FormatPractical, FormatWorkshop) {
			t.Fatalf("accepted mode %q, format %q", s.Mode, s.Format)
		}
	})
}

// FuzzFeedbackInput: whatever a student sends as feedback, checking it never
// panics, and accepted answers are in range, with known benefits stored once
// each.
func FuzzFeedbackInput(f *testing.F) {
	for _, seed := range []string{
		`{"overall":5,"teaching":4,"confidence_before":2,"confidence_after":4,"benefits":["knowledge","community","knowledge"],"went_well":"Clear"}`,
		`{"overall":0}`, `{"overall":6,"benefits":["money"]}`, `{"benefits":[""],"improve":"\xff"}`, `{"overall":"5"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in FeedbackInput
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		benefits, err := in.check()
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		for _, v := range []int{in.Overall, in.Teaching, in.ConfidenceBefore, in.ConfidenceAfter} {
			if v < 1 || v > 5 {
				t.Fatalf("accepted a rating of %d", v)
			}
		}
		seen := map[string]bool{}
		for _, b := range strings.Split(benefits, ",") {
			if b == "" {
				continue
			}
			known := false
			for _, k := range Benefits {
				known = known || b == string(k)
			}
			if !known || seen[b] {
				t.Fatalf("stored benefits %q", benefits)
			}
			seen[b] = true
		}
	})
}
