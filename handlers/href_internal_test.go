package handlers

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"rounds/internal/ical"
)

// The calendar links written by hrefAttr are what html/template writes for
// the same addresses in an href.
func TestHrefAttrWritesWhatTheTemplateWrites(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC)
	e := ical.AddLink{Title: `Murmurs & "rubs" <live>: 100% + 'más' (year 2)`, Details: "https://rounds.example/sessions/7",
		Location: "Lecture Theatre 2, and online", Start: start, End: start.Add(2 * time.Hour)}
	plain := template.Must(template.New("a").Parse(`<a href="{{.}}">`))
	mine := template.Must(template.New("b").Parse(`<a {{.}}>`))
	for _, u := range []string{
		ical.GoogleAddURL(e),
		ical.OutlookAddURL("outlook.office.com", e, london),
		ical.OutlookAddURL("outlook.live.com", e, london),
		"https://example.com/a b/ü?q='x'&y=(1)|{2}^`3`\\%zz%4",
		"https://example.com/%41%4",
	} {
		var want, got strings.Builder
		if err := plain.Execute(&want, u); err != nil {
			t.Fatal(err)
		}
		if err := mine.Execute(&got, hrefAttr(u)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("hrefAttr(%q)\n wrote %s\n  want %s", u, got.String(), want.String())
		}
	}
}
