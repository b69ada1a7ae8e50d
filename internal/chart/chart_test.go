package chart_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rounds/internal/chart"
)

// nums returns pointers to each of vs, for a Series with no missing values.
func nums(vs ...float64) []*float64 {
	out := make([]*float64, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

// node is a parsed XML element.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// hasClass reports whether n's class attribute lists c.
func (n node) hasClass(c string) bool {
	for _, f := range strings.Fields(n.attr("class")) {
		if f == c {
			return true
		}
	}
	return false
}

// all returns n and its descendants that satisfy keep, in document order.
func (n node) all(keep func(node) bool) []node {
	var out []node
	if keep(n) {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.all(keep)...)
	}
	return out
}

func (n node) withClass(c string) []node { return n.all(func(m node) bool { return m.hasClass(c) }) }

func (n node) tag(name string) []node {
	return n.all(func(m node) bool { return m.XMLName.Local == name })
}

// title returns the text of n's own <title> child.
func (n node) title() string {
	for _, c := range n.Children {
		if c.XMLName.Local == "title" {
			return c.Text
		}
	}
	return ""
}

// wellFormed parses svg as XML and fails the test if it is not.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
}

// parse checks what every chart must be and returns its root element.
func parse(t *testing.T, h template.HTML) node {
	t.Helper()
	svg := string(h)
	wellFormed(t, svg)
	var root node
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root is <%s>, want <svg>", root.XMLName.Local)
	}
	if got := root.attr("role"); got != "img" {
		t.Errorf(`role = %q, want "img"`, got)
	}
	if got := root.attr("width"); got != "100%" {
		t.Errorf(`width = %q, want "100%%"`, got)
	}
	if root.attr("height") != "" {
		t.Errorf("root has a fixed height %q", root.attr("height"))
	}
	if vb := strings.Fields(root.attr("viewBox")); len(vb) != 4 {
		t.Errorf("viewBox = %q", root.attr("viewBox"))
	}
	// aria-labelledby names the chart's own <title> and <desc>, both with text.
	ids := strings.Fields(root.attr("aria-labelledby"))
	if len(ids) != 2 {
		t.Fatalf("aria-labelledby = %q, want two ids", root.attr("aria-labelledby"))
	}
	for i, want := range []string{"title", "desc"} {
		found := root.all(func(m node) bool { return m.attr("id") == ids[i] })
		if len(found) != 1 || found[0].XMLName.Local != want || strings.TrimSpace(found[0].Text) == "" {
			t.Errorf("aria-labelledby id %q: want one non-empty <%s>, found %v", ids[i], want, found)
		}
	}
	// Nothing the Content-Security-Policy would block or that reaches out.
	for _, bad := range []string{"<script", "<style", "style=", "href", "<image", "<foreignObject", "javascript:", "@import"} {
		if strings.Contains(strings.ToLower(svg), strings.ToLower(bad)) {
			t.Errorf("output contains %q", bad)
		}
	}
	for _, n := range root.all(func(node) bool { return true }) {
		for _, a := range n.Attrs {
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
				t.Errorf("<%s> has an event handler attribute %s", n.XMLName.Local, a.Name.Local)
			}
		}
	}
	if n := strings.Count(svg, "http"); n != 1 || !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("output refers to a URL other than the SVG namespace")
	}
	for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(svg, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("external reference %q", m[0])
		}
	}
	// Text is at least 12 units.
	for _, m := range regexp.MustCompile(`font-size="([^"]*)"`).FindAllStringSubmatch(svg, -1) {
		if size, err := strconv.ParseFloat(m[1], 64); err != nil || size < 12 {
			t.Errorf("font-size %q is below 12", m[1])
		}
	}
	return root
}

var weeks12 = func() []string {
	l := make([]string, 12)
	for i := range l {
		l[i] = fmt.Sprintf("Week %d", i+1)
	}
	return l
}()

func yearBars() []chart.Bar {
	return []chart.Bar{
		{Label: "Year 1", Value: chart.Num(0.79), Second: chart.Num(212)},
		{Label: "Year 2", Value: chart.Num(0.71), Second: chart.Num(188)},
		{Label: "Year 3", Value: chart.Num(0.62), Second: chart.Num(140)},
		{Label: "Year 4", Value: chart.Num(0.48), Second: chart.Num(96)},
		{Label: "Year 5", Value: chart.Num(0.39), Second: nil},
		{Label: "Year 6", Value: nil, Second: chart.Num(0)},
	}
}

func TestHBarCountsBarsAndTitles(t *testing.T) {
	root := parse(t, chart.HBar(chart.HBarOptions{
		Title: "Attendance rate by year of study", Name: "Attendance rate", Format: chart.Percent,
		SecondName: "Students reached", SecondFormat: chart.Integer,
	}, yearBars()))

	rows := root.withClass("row")
	if len(rows) != 6 {
		t.Fatalf("rows = %d, want 6", len(rows))
	}
	for _, r := range rows {
		if r.title() == "" {
			t.Errorf("row without a <title>")
		}
	}
	if got := len(root.all(func(m node) bool { return m.hasClass("bar") && !m.hasClass("bar-2") })); got != 5 {
		t.Errorf("main bars = %d, want 5 (one value is nil)", got)
	}
	if got := len(root.withClass("bar-2")); got != 5 {
		t.Errorf("second bars = %d, want 5 (one value is nil)", got)
	}
	if got, want := rows[0].title(), "Year 1 — Attendance rate: 79%; Students reached: 212"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := rows[5].title(), "Year 6 — Attendance rate: no data; Students reached: 0"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if !strings.Contains(texts(rows[5]), "no data") {
		t.Errorf("nil value is not written as no data: %q", texts(rows[5]))
	}
	desc := root.tag("desc")[0].Text
	for _, want := range []string{"Year 1, 79%", "Year 6, no data", "Students reached: Year 1, 212"} {
		if !strings.Contains(desc, want) {
			t.Errorf("desc %q lacks %q", desc, want)
		}
	}
	if len(root.withClass("legend-item")) != 2 {
		t.Errorf("a chart with two series needs a two-item legend")
	}
}

// texts joins the text drawn inside n.
func texts(n node) string {
	var b strings.Builder
	for _, t := range n.tag("text") {
		b.WriteString(t.Text + "|")
	}
	return b.String()
}

func TestPercentFormatting(t *testing.T) {
	root := parse(t, chart.HBar(chart.HBarOptions{Name: "Rate", Format: chart.Percent}, []chart.Bar{
		{Label: "A", Value: chart.Num(0.7925)},
		{Label: "B", Value: chart.Num(0)},
		{Label: "C", Value: chart.Num(1)},
	}))
	rows := root.withClass("row")
	for i, want := range []struct{ shown, title string }{
		{"79%", "A — Rate: 79.3%"},
		{"0%", "B — Rate: 0%"},
		{"100%", "C — Rate: 100%"},
	} {
		if got := rows[i].withClass("value")[0].Text; got != want.shown {
			t.Errorf("row %d shows %q, want %q", i, got, want.shown)
		}
		if got := rows[i].title(); got != want.title {
			t.Errorf("row %d title %q, want %q", i, got, want.title)
		}
	}
	// A rate axis runs 0–100% in quarters.
	root = parse(t, chart.Line(chart.LineOptions{Format: chart.Percent}, []string{"a", "b"},
		[]chart.Series{{Values: nums(0.5, 0.6)}}))
	var ticks []string
	for _, tx := range root.withClass("grid")[0].tag("text") {
		ticks = append(ticks, tx.Text)
	}
	if got := strings.Join(ticks, " "); got != "0% 25% 50% 75% 100%" {
		t.Errorf("ticks = %q", got)
	}
}

func TestIntegerFormatting(t *testing.T) {
	root := parse(t, chart.HBar(chart.HBarOptions{}, []chart.Bar{{Label: "All", Value: chart.Num(1234567)}}))
	if got := root.withClass("value")[0].Text; got != "1,234,567" {
		t.Errorf("shown %q, want 1,234,567", got)
	}
	if got := root.withClass("row")[0].title(); got != "All: 1,234,567" {
		t.Errorf("title %q", got)
	}
}

func TestHostileLabelsAreEscaped(t *testing.T) {
	hostile := []string{
		`<script>alert(1)</script>`,
		`Tom & Jerry's "OSCE" <b>prep</b>`,
		`]]><!-- --> &amp; &#60;`,
		"Emoji 👩🏽‍⚕️ and flags 🇬🇧🇫🇷",
		"bad\x00control\x1bchars\ufffe",
		`" onmouseover="alert(1)`,
	}
	bars := make([]chart.Bar, len(hostile))
	series := make([]chart.Series, len(hostile))
	for i, h := range hostile {
		bars[i] = chart.Bar{Label: h, Value: chart.Num(float64(i + 1)), Note: h}
		series[i] = chart.Series{Name: h, Values: nums(1, 2)}
	}
	charts := map[string]template.HTML{
		"hbar": chart.HBar(chart.HBarOptions{Title: hostile[0], Description: hostile[1], Name: hostile[2],
			SecondName: hostile[5]}, bars),
		"columns": chart.Columns(chart.ColumnsOptions{Title: hostile[0], Stacked: true}, hostile, series),
		"line":    chart.Line(chart.LineOptions{Title: hostile[1]}, hostile, series),
	}
	for name, h := range charts {
		t.Run(name, func(t *testing.T) {
			root := parse(t, h) // also checks for "<script" and on…= attributes
			if strings.Contains(string(h), "<b>") || strings.Contains(string(h), "<!--") {
				t.Errorf("markup from a label reached the output")
			}
			// Labels come back intact in tooltips after XML decoding.
			var titles strings.Builder
			for _, tt := range root.tag("title") {
				titles.WriteString(tt.Text + "\n")
			}
			for _, want := range hostile {
				// Characters XML cannot carry become U+FFFD.
				want = strings.Map(func(r rune) rune {
					if r < 0x20 || r == 0xfffe {
						return '\ufffd'
					}
					return r
				}, want)
				if !strings.Contains(titles.String(), want) {
					t.Errorf("no tooltip holds %q", want)
				}
			}
		})
	}
}

func TestEmptyData(t *testing.T) {
	nothing := []*float64{nil, nil, nil}
	charts := map[string]template.HTML{
		"hbar nil":          chart.HBar(chart.HBarOptions{Title: "T"}, nil),
		"hbar all nil":      chart.HBar(chart.HBarOptions{Title: "T"}, []chart.Bar{{Label: "Year 1"}}),
		"columns no series": chart.Columns(chart.ColumnsOptions{Title: "T"}, weeks12, nil),
		"columns no labels": chart.Columns(chart.ColumnsOptions{}, nil, []chart.Series{{Name: "x", Values: nums(1)}}),
		"line all nil":      chart.Line(chart.LineOptions{Title: "T"}, []string{"a", "b", "c"}, []chart.Series{{Values: nothing}}),
	}
	for name, h := range charts {
		t.Run(name, func(t *testing.T) {
			root := parse(t, h)
			msg := root.withClass("no-data")
			if len(msg) != 1 || msg[0].Text != "No data for this period" {
				t.Errorf("want the no-data message, got %v", msg)
			}
			if len(root.withClass("bar"))+len(root.withClass("point")) != 0 {
				t.Errorf("an empty chart draws bars or points")
			}
			if !strings.Contains(root.tag("desc")[0].Text, "No data for this period") {
				t.Errorf("desc does not say there is no data")
			}
		})
	}
}

func TestLineNullsBecomeGaps(t *testing.T) {
	v := nums(0.5, 0, 0.6, 0.7, 0, 0.8)
	v[1], v[4] = nil, nil
	root := parse(t, chart.Line(chart.LineOptions{Format: chart.Percent}, []string{"1", "2", "3", "4", "5", "6"},
		[]chart.Series{{Name: "Rate", Values: v}}))
	if got := len(root.withClass("point")); got != 4 {
		t.Errorf("points = %d, want 4", got)
	}
	d := root.withClass("line")[0].attr("d")
	if got := strings.Count(d, "M"); got != 3 {
		t.Errorf("path %q has %d runs, want 3 (two gaps)", d, got)
	}
	if got := root.withClass("point")[0].title(); got != "1 — Rate: 50%" {
		t.Errorf("point title %q", got)
	}
	hits := root.withClass("hit")
	if len(hits) != 6 || hits[1].title() != "2: no data" && hits[1].title() != "2 — Rate: no data" {
		t.Errorf("the gap's tooltip should say no data, got %d hit areas, %q", len(hits), hits[1].title())
	}
}

func TestColumnsCounts(t *testing.T) {
	in := nums(42, 48, 45, 39, 37, 40, 0, 35, 33, 30, 28, 31)
	on := nums(12, 15, 19, 22, 20, 24, 0, 26, 27, 25, 29, 30)
	in[6], on[6] = nil, nil
	series := []chart.Series{{Name: "In person", Values: in}, {Name: "Online", Values: on}}
	for _, stacked := range []bool{false, true} {
		root := parse(t, chart.Columns(chart.ColumnsOptions{Stacked: stacked}, weeks12, series))
		if got := len(root.withClass("bar")); got != 22 {
			t.Errorf("stacked=%v: bars = %d, want 22", stacked, got)
		}
		cols := root.withClass("col")
		if len(cols) != 12 {
			t.Fatalf("columns = %d, want 12", len(cols))
		}
		if got, want := cols[2].title(), "Week 3 — In person: 45; Online: 19"; got != want {
			t.Errorf("column title %q, want %q", got, want)
		}
		if got, want := cols[6].title(), "Week 7 — In person: no data; Online: no data"; got != want {
			t.Errorf("column title %q, want %q", got, want)
		}
		for _, b := range root.withClass("bar") {
			if b.title() == "" {
				t.Errorf("bar without a title")
			}
		}
		if len(root.withClass("legend-item")) != 2 {
			t.Errorf("want a legend with 2 items")
		}
	}
}

func TestSeriesDistinguishableWithoutColour(t *testing.T) {
	series := []chart.Series{{Name: "a", Values: nums(1)}, {Name: "b", Values: nums(2)}, {Name: "c", Values: nums(3)}}
	root := parse(t, chart.Columns(chart.ColumnsOptions{ID: "x"}, []string{"w"}, series))
	fills := map[string]bool{}
	for _, b := range root.withClass("bar") {
		fills[b.attr("fill")] = true
	}
	if len(fills) != 3 || !fills["url(#x-p1)"] || !fills["url(#x-p2)"] {
		t.Errorf("series 2 and 3 need their own patterns, fills = %v", fills)
	}
	if len(root.tag("pattern")) != 2 {
		t.Errorf("patterns = %d, want 2", len(root.tag("pattern")))
	}
	root = parse(t, chart.Line(chart.LineOptions{}, []string{"w", "v"}, series))
	dashes := map[string]bool{}
	for _, l := range root.withClass("line") {
		dashes[l.attr("stroke-dasharray")] = true
	}
	if len(dashes) != 3 {
		t.Errorf("lines need distinct dashes, got %v", dashes)
	}
}

func TestManyCategories(t *testing.T) {
	labels := make([]string, 60)
	values := make([]*float64, 60)
	for i := range labels {
		labels[i] = fmt.Sprintf("Week %d", i+1)
		if i%10 != 0 {
			values[i] = chart.Num(float64(i%7) / 7)
		}
	}
	root := parse(t, chart.Line(chart.LineOptions{Format: chart.Percent}, labels, []chart.Series{{Values: values}}))
	if got := len(root.withClass("point")); got != 54 {
		t.Errorf("points = %d, want 54", got)
	}
	shown := root.withClass("x-labels")[0].tag("text")
	if len(shown) >= 60 || len(shown) < 5 {
		t.Errorf("x labels shown = %d, want them thinned to fit", len(shown))
	}
	root = parse(t, chart.Columns(chart.ColumnsOptions{}, labels, []chart.Series{{Values: values}, {Values: values}}))
	if got := len(root.withClass("bar")); got != 108 {
		t.Errorf("bars = %d, want 108", got)
	}
}

func TestSinglePoint(t *testing.T) {
	root := parse(t, chart.Line(chart.LineOptions{Format: chart.Percent}, []string{"Week 1"},
		[]chart.Series{{Name: "Rate", Values: nums(0.64)}}))
	if got := len(root.withClass("point")); got != 1 {
		t.Errorf("points = %d, want 1", got)
	}
	root = parse(t, chart.Columns(chart.ColumnsOptions{}, []string{"Week 1"}, []chart.Series{{Values: nums(7)}}))
	if got := len(root.withClass("bar")); got != 1 {
		t.Errorf("bars = %d, want 1", got)
	}
}

func TestLongLabelsAreTruncatedWithFullTooltip(t *testing.T) {
	long := "Cardiology: acute coronary syndromes, heart failure and the ECG for finals"
	root := parse(t, chart.HBar(chart.HBarOptions{}, []chart.Bar{{Label: long, Value: chart.Num(3)}}))
	row := root.withClass("row")[0]
	label := row.tag("text")[0].Text
	if !strings.HasSuffix(label, "…") || len(label) >= len(long) {
		t.Errorf("label %q is not truncated", label)
	}
	if !strings.HasPrefix(row.title(), long) {
		t.Errorf("tooltip %q lacks the full label", row.title())
	}
}

func TestIDsAreUniqueAndSafe(t *testing.T) {
	a := parse(t, chart.HBar(chart.HBarOptions{}, yearBars()))
	b := parse(t, chart.HBar(chart.HBarOptions{}, yearBars()))
	if a.attr("aria-labelledby") == b.attr("aria-labelledby") {
		t.Errorf("two charts without an ID share ids %q", a.attr("aria-labelledby"))
	}
	c := parse(t, chart.HBar(chart.HBarOptions{ID: `1 "x"><y`}, yearBars()))
	if got := c.attr("aria-labelledby"); got != "c1xy-title c1xy-desc" {
		t.Errorf("aria-labelledby = %q", got)
	}
}

func TestZeroValues(t *testing.T) {
	root := parse(t, chart.Columns(chart.ColumnsOptions{}, []string{"Sep", "Oct"}, []chart.Series{{Values: nums(0, 0)}}))
	if got := len(root.withClass("bar")); got != 2 {
		t.Errorf("zero values should still be bars with tooltips, got %d", got)
	}
	root = parse(t, chart.HBar(chart.HBarOptions{}, []chart.Bar{{Label: "x", Value: chart.Num(0)}}))
	if got := root.withClass("value")[0].Text; got != "0" {
		t.Errorf("zero shown as %q", got)
	}
}
