package handlers

import (
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/internal/chart"
	"rounds/models"
)

// The committee dashboard's mentoring section: for the newest schemes past
// their draft, who applied, how many mentees were matched, how soon and how
// often pairs meet, and how many ended early.

// dashSchemesShown is how many schemes the dashboard shows; the others are
// on the schemes page.
const dashSchemesShown = 3

// dashScheme is one scheme's figures on the dashboard.
type dashScheme struct {
	ID         int64
	Title      string
	Status     string
	Figures    []dashFigure
	Applicants template.HTML
	Months     template.HTML
	MonthRows  []dashMonth
}

// dashMonth is one month of a scheme's pairs, named in words.
type dashMonth struct {
	Label        string
	Running, Met int
}

// monthWords writes "2026-11" as "Nov 2026".
func monthWords(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("Jan 2006")
}

func (h *Handler) dashMentoring(c echo.Context) ([]dashScheme, error) {
	ctx := c.Request().Context()
	list, err := models.ListSchemes(ctx, h.Store, *currentUser(c))
	if err != nil {
		return nil, err
	}
	out := []dashScheme{}
	for _, s := range list {
		if s.Status == models.SchemeDraft || len(out) == dashSchemesShown {
			continue
		}
		f, err := models.SchemeFigures(ctx, h.Store, s.ID, h.Config.Location, h.Clock.Now())
		if err != nil {
			return nil, err
		}
		out = append(out, dashSchemeOf(s.Scheme, f))
	}
	return out, nil
}

func dashSchemeOf(s models.Scheme, f models.MentoringFigures) dashScheme {
	d := dashScheme{ID: s.ID, Title: s.Title, Status: s.Status.Label()}
	for _, m := range f.Months {
		d.MonthRows = append(d.MonthRows, dashMonth{monthWords(m.Month), m.Running, m.Met})
	}
	sides := map[models.MentoringRole]int{}
	var bars []chart.Bar
	for _, a := range f.Applicants {
		sides[a.Role] += a.Count
		year := "graduate or doctor"
		if a.Year != nil {
			year = "year " + strconv.Itoa(*a.Year)
		}
		bars = append(bars, chart.Bar{Label: a.Role.Label() + "s, " + year, Value: chart.Num(float64(a.Count))})
	}
	matched := "no mentees"
	if f.MatchedShare != nil {
		matched = fmt.Sprintf("%s of %s (%.0f%%)", dashNum(f.MatchedMentees), dashNum(f.Mentees), *f.MatchedShare*100)
	}
	decimal := func(v *float64, none string) string {
		if v == nil {
			return none
		}
		return fmt.Sprintf("%.1f", *v)
	}
	d.Figures = []dashFigure{
		{"Applicants", dashNum(sides[models.RoleMentor] + sides[models.RoleMentee]), fmt.Sprintf("%d mentors, %d mentees", sides[models.RoleMentor], sides[models.RoleMentee])},
		{"Mentees matched", matched, ""},
		{"Pairs introduced", dashNum(f.Pairs), ""},
		{"Days to a first meeting", decimal(f.DaysToFirstMeeting, "—"), "median, of pairs that have met"},
		{"Meetings per pair", decimal(f.MeetingsPerPair, "—"), "held, on average"},
		{"Pairs ended early", dashNum(f.EndedEarly), "before the scheme's last day"},
	}
	id := fmt.Sprintf("chart-scheme-%d", s.ID)
	if len(bars) > 0 {
		d.Applicants = chart.HBar(chart.HBarOptions{ID: id + "-applicants", Title: "Applicants to " + s.Title + " by side and year of study",
			Name: "Applicants"}, bars)
	}
	if len(f.Months) > 0 {
		labels := make([]string, len(f.Months))
		running, met := make([]*float64, len(f.Months)), make([]*float64, len(f.Months))
		for i, m := range f.Months {
			labels[i], running[i], met[i] = monthWords(m.Month), chart.Num(float64(m.Running)), chart.Num(float64(m.Met))
		}
		d.Months = chart.Columns(chart.ColumnsOptions{ID: id + "-months", Title: "Pairs of " + s.Title + " running and meeting each month"},
			labels, []chart.Series{{Name: "Pairs running", Values: running}, {Name: "Pairs that met", Values: met}})
	}
	return d
}
