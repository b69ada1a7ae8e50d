package chart_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"rounds/internal/chart"
)

// examples are realistic dashboard figures; TestExamples writes them to
// $ROUNDS_CHART_OUT (when set) so that they can be looked at.
func examples() map[string]string {
	years := []chart.Bar{
		{Label: "Year 1", Value: chart.Num(0.79), Second: chart.Num(212), Note: "167 of 212 booked"},
		{Label: "Year 2", Value: chart.Num(0.71), Second: chart.Num(188)},
		{Label: "Year 3", Value: chart.Num(0.62), Second: chart.Num(140)},
		{Label: "Year 4", Value: chart.Num(0.48), Second: chart.Num(96)},
		{Label: "Year 5", Value: chart.Num(0.39), Second: chart.Num(61)},
		{Label: "Year 6", Value: chart.Num(0.34), Second: chart.Num(30)},
	}
	weeks := make([]string, 12)
	for i := range weeks {
		weeks[i] = fmt.Sprintf("Wk %d", i+1)
	}
	inPerson := nums(42, 48, 45, 39, 37, 40, 0, 35, 33, 30, 28, 31)
	online := nums(12, 15, 19, 22, 20, 24, 0, 26, 27, 25, 29, 30)
	rate := nums(0.82, 0.8, 0.77, 0.74, 0.7, 0.72, 0, 0.66, 0.61, 0.6, 0.55, 0.58)
	rate[6] = nil // reading week: nothing booked
	onlineRate := nums(0.55, 0.6, 0.58, 0.62, 0.5, 0.57, 0, 0.49, 0.52, 0.47, 0.45, 0.5)
	onlineRate[6] = nil
	inPerson[6], online[6] = nil, nil

	many := make([]string, 60)
	manyRate := make([]*float64, 60)
	manyCount := make([]*float64, 60)
	for i := range many {
		many[i] = fmt.Sprintf("W%d", i+1)
		if i%13 != 5 {
			manyRate[i] = chart.Num(0.5 + 0.3*float64((i*7)%11)/10)
			manyCount[i] = chart.Num(float64(20 + (i*7)%17))
		}
	}
	topics := []chart.Bar{
		{Label: "Cardiology: acute coronary syndromes and the ECG for finals", Value: chart.Num(64)},
		{Label: "Respiratory", Value: chart.Num(51)},
		{Label: "Renal & electrolytes <script>alert(1)</script>", Value: chart.Num(38)},
		{Label: "Paediatrics 👶🏽 “quick-fire” OSCE", Value: chart.Num(0)},
		{Label: "Dermatology", Value: nil},
	}
	return map[string]string{
		"rate-by-year": string(chart.HBar(chart.HBarOptions{
			ID: "rate-by-year", Title: "Attendance rate by year of study",
			Name: "Attendance rate", Format: chart.Percent,
			SecondName: "Students reached", SecondFormat: chart.Integer,
		}, years)),
		"rate-by-year-simple": string(chart.HBar(chart.HBarOptions{
			Title: "Attendance rate by year of study", Name: "Attendance rate", Format: chart.Percent,
		}, years)),
		"attendances-by-topic": string(chart.HBar(chart.HBarOptions{
			Title: "Attendances by topic", Name: "Attendances",
		}, topics)),
		"mode-by-week": string(chart.Columns(chart.ColumnsOptions{
			Title: "Attendances in person and online by week",
		}, weeks, []chart.Series{{Name: "In person", Values: inPerson}, {Name: "Online", Values: online}})),
		"mode-by-week-stacked": string(chart.Columns(chart.ColumnsOptions{
			Title: "Attendances by week", Stacked: true,
		}, weeks, []chart.Series{{Name: "In person", Values: inPerson}, {Name: "Online", Values: online}, {Name: "Walk-ins", Values: nums(3, 5, 2, 4, 6, 1, 0, 2, 3, 5, 2, 4)}})),
		"rate-by-week": string(chart.Line(chart.LineOptions{
			Title: "Attendance rate by week", Format: chart.Percent,
		}, weeks, []chart.Series{{Name: "In person", Values: rate}, {Name: "Online", Values: onlineRate}})),
		"rate-60-weeks": string(chart.Line(chart.LineOptions{
			Title: "Attendance rate by week", Format: chart.Percent,
		}, many, []chart.Series{{Name: "Attendance rate", Values: manyRate}})),
		"columns-60-weeks": string(chart.Columns(chart.ColumnsOptions{
			Title: "Attendances by week",
		}, many, []chart.Series{{Name: "In person", Values: manyCount}, {Name: "Online", Values: manyCount[3:]}})),
		"single-point": string(chart.Line(chart.LineOptions{
			Title: "Attendance rate by week", Format: chart.Percent,
		}, []string{"Wk 1"}, []chart.Series{{Name: "Attendance rate", Values: nums(0.64)}})),
		"all-zero": string(chart.Columns(chart.ColumnsOptions{
			Title: "Attendances by month",
		}, []string{"Sep", "Oct", "Nov"}, []chart.Series{{Values: nums(0, 0, 0)}})),
		"empty": string(chart.Line(chart.LineOptions{Title: "Attendance rate by week"}, nil, nil)),
	}
}

func TestExamples(t *testing.T) {
	dir := os.Getenv("ROUNDS_CHART_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	for name, svg := range examples() {
		wellFormed(t, svg)
		if err := os.WriteFile(filepath.Join(dir, name+".svg"), []byte(svg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// An attendance-rate chart by year of study, as the committee dashboard
// embeds it inside <figure class="chart">.
func ExampleHBar() {
	svg := chart.HBar(chart.HBarOptions{
		ID:     "rate-by-year",
		Title:  "Attendance rate by year of study",
		Name:   "Attendance rate",
		Format: chart.Percent,
	}, []chart.Bar{
		{Label: "Year 1", Value: chart.Num(0.79), Note: "167 of 212 booked"},
		{Label: "Year 2", Value: chart.Num(0.71)},
		{Label: "Year 3", Value: nil}, // nothing booked
	})
	fmt.Println(len(svg) > 0)
	// Output: true
}
