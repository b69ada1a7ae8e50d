package ical

import (
	"net/url"
	"testing"
	"time"
)

func TestAddLinksAcrossClockChanges(t *testing.T) {
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
	cases := []struct {
		name                   string
		start, end             time.Time
		google                 string
		outlookFrom, outlookTo string
	}{
		{"summer time, the Saturday before the October change", at("2026-10-24 18:00"), at("2026-10-24 19:30"),
			"20261024T170000Z/20261024T183000Z", "2026-10-24T18:00:00+01:00", "2026-10-24T19:30:00+01:00"},
		{"winter time, the Monday after the October change", at("2026-10-26 18:00"), at("2026-10-26 19:30"),
			"20261026T180000Z/20261026T193000Z", "2026-10-26T18:00:00+00:00", "2026-10-26T19:30:00+00:00"},
		{"across the October change in the night", at("2026-10-25 00:30"), at("2026-10-25 03:00"),
			"20261024T233000Z/20261025T030000Z", "2026-10-25T00:30:00+01:00", "2026-10-25T03:00:00+00:00"},
		{"winter time, the Saturday before the March change", at("2027-03-27 18:00"), at("2027-03-27 19:00"),
			"20270327T180000Z/20270327T190000Z", "2027-03-27T18:00:00+00:00", "2027-03-27T19:00:00+00:00"},
		{"summer time, the Monday after the March change", at("2027-03-29 18:00"), at("2027-03-29 19:00"),
			"20270329T170000Z/20270329T180000Z", "2027-03-29T18:00:00+01:00", "2027-03-29T19:00:00+01:00"},
		{"across the March change in the night", at("2027-03-28 00:30"), at("2027-03-28 03:00"),
			"20270328T003000Z/20270328T020000Z", "2027-03-28T00:30:00+00:00", "2027-03-28T03:00:00+01:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := AddLink{Title: "ECG basics & more", Details: "https://rounds.example/sessions/7", Location: "Room 2", Start: tc.start, End: tc.end}
			g, err := url.Parse(GoogleAddURL(e))
			if err != nil {
				t.Fatal(err)
			}
			if g.Host != "calendar.google.com" || g.Query().Get("dates") != tc.google || g.Query().Get("text") != e.Title ||
				g.Query().Get("location") != "Room 2" || g.Query().Get("action") != "TEMPLATE" {
				t.Errorf("Google link %s: want dates %s", g, tc.google)
			}
			o, err := url.Parse(OutlookAddURL("outlook.office.com", e, london))
			if err != nil {
				t.Fatal(err)
			}
			q := o.Query()
			if o.Host != "outlook.office.com" || q.Get("startdt") != tc.outlookFrom || q.Get("enddt") != tc.outlookTo ||
				q.Get("subject") != e.Title || q.Get("rru") != "addevent" {
				t.Errorf("Outlook link %s: want %s to %s", o, tc.outlookFrom, tc.outlookTo)
			}
			// Each side names the same instants.
			for _, s := range []string{q.Get("startdt"), q.Get("enddt")} {
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					t.Errorf("Outlook time %q: %v", s, err)
				}
			}
			if from, _ := time.Parse(time.RFC3339, q.Get("startdt")); !from.Equal(tc.start) {
				t.Errorf("Outlook start %s is not %s", from, tc.start)
			}
		})
	}
}

func TestSubscribeLinks(t *testing.T) {
	feed := "https://rounds.example/calendar/abc+def.ics"
	cases := []struct{ name, got, want string }{
		{"Apple", WebcalURL(feed), "webcal://rounds.example/calendar/abc+def.ics"},
		{"Apple, plain http", WebcalURL("http://localhost:8080/calendar/x.ics"), "webcal://localhost:8080/calendar/x.ics"},
		{"Google", GoogleSubscribeURL(feed), "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Frounds.example%2Fcalendar%2Fabc%2Bdef.ics"},
		{"Outlook", OutlookSubscribeURL("outlook.live.com", feed, "Rounds"), "https://outlook.live.com/calendar/0/addfromweb?name=Rounds&url=https%3A%2F%2Frounds.example%2Fcalendar%2Fabc%2Bdef.ics"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}
