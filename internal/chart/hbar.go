package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Bar is one row of a horizontal bar chart.
type Bar struct {
	// Label names the row, e.g. "Year 3" or a topic; long labels are
	// shortened with an ellipsis on the chart and given in full in the
	// tooltip.
	Label string
	// Value is the bar's length; nil draws "no data" instead of a bar.
	Value *float64
	// Second is the value of the optional second series (drawn only when
	// HBarOptions.SecondName is set); nil draws no second bar.
	Second *float64
	// Note adds words to the row's tooltip, e.g. "38 of 48 booked".
	Note string
}

// HBarOptions configures HBar.
type HBarOptions struct {
	// ID prefixes the ids inside the SVG and must be unique on the page;
	// empty generates one.
	ID string
	// Title names the chart for assistive technology, e.g. "Attendance
	// rate by year of study". The page shows its own visible caption.
	Title string
	// Description is read after the title, before the generated summary
	// of the values.
	Description string
	// Name names the values, e.g. "Attendance rate"; it is used in
	// tooltips and, with a second series, in the legend.
	Name string
	// Format says how values are written.
	Format Format
	// Max is the value of a full-length bar. Zero means the largest value,
	// or 100% for percentages up to 100%. With Max set, or for
	// percentages, a light track shows the full length behind each bar.
	Max float64
	// SecondName names Bar.Second, e.g. "Students reached"; empty draws no
	// second series. The second series is a thinner striped bar below each
	// bar, with its value at its end.
	SecondName string
	// SecondFormat says how second values are written. When it equals
	// Format, both series share one scale (Max); otherwise the second has
	// its own scale, SecondMax (zero means its largest value).
	SecondFormat Format
	// SecondMax is the value of a full-length second bar on its own scale.
	SecondMax float64
	// Width is the width of the viewBox in user units, 420 by default.
	Width int
}

// HBar draws a horizontal bar chart: labels on the left, one bar per row
// with its value printed at the end, and optionally a second series as a
// thinner striped bar under each bar.
func HBar(opts HBarOptions, bars []Bar) template.HTML {
	d := newDoc(opts.ID, "chart-hbar", opts.Width, 420)
	d.title = orDefault(opts.Title, "Bar chart")
	second := strings.TrimSpace(opts.SecondName) != ""

	m1, m2, have := 0.0, 0.0, false
	for _, b := range bars {
		if v, ok := value(b.Value); ok {
			m1, have = math.Max(m1, v), true
		}
		if v, ok := value(b.Second); ok && second {
			m2, have = math.Max(m2, v), true
		}
	}
	if !have {
		d.empty(80)
		d.desc = joinDesc(opts.Description, d.desc)
		return d.html()
	}
	shared := second && opts.SecondFormat == opts.Format
	if shared {
		m1 = math.Max(m1, m2)
	}
	top1 := barTop(m1, opts.Max, opts.Format)
	top2 := top1
	if second && !shared {
		top2 = barTop(m2, opts.SecondMax, opts.SecondFormat)
	}
	showTrack := opts.Max > 0 || opts.Format == Percent

	// Columns: labels | bars | values.
	labelCol := 0.0
	valueCol := 0.0 // "no data" is written where the bar would start
	for _, b := range bars {
		labelCol = math.Max(labelCol, textWidth(oneLine(b.Label), labelSize))
		if v, ok := value(b.Value); ok {
			valueCol = math.Max(valueCol, textWidth(opts.Format.label(v), labelSize))
		}
		if v, ok := value(b.Second); ok && second {
			valueCol = math.Max(valueCol, textWidth(opts.SecondFormat.label(v), smallSize))
		}
	}
	labelCol = math.Min(labelCol, d.w*0.4)
	x0 := pad + labelCol + 8
	x1 := d.w - pad - valueCol - 6
	span := math.Max(x1-x0, 40)

	y := pad
	if second {
		y += d.legend([]string{orDefault(opts.Name, "Value"), opts.SecondName}, false, y)
	}
	rowH, barH := 32.0, 20.0
	if second {
		rowH, barH = 44, 18
	}
	const secondH = 10.0
	top := y
	for i, b := range bars {
		ry := y + float64(i)*rowH
		by := ry + (rowH-barH)/2
		if second {
			by = ry + 5
		}
		mid := by + barH/2
		fmt.Fprintf(&d.body, `<g class="row"><title>%s</title>`, esc(hbarTitle(opts, b, second)))
		label, _ := fit(oneLine(b.Label), labelCol, labelSize)
		d.text(x0-8, baseline(mid, labelSize), labelSize, "end", ink, label, "")
		if showTrack {
			fmt.Fprintf(&d.body, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x0), num(by), num(span), num(barH), track)
		}
		if v, ok := value(b.Value); ok {
			w := length(v, top1, span)
			d.rect("bar", 0, x0, by, w, barH, "")
			d.text(x0+w+5, baseline(mid, labelSize), labelSize, "start", ink, opts.Format.label(v), ` class="value"`)
		} else {
			d.text(x0+5, baseline(mid, smallSize), smallSize, "start", muted, "no data", ` class="value"`)
		}
		if second {
			sy := by + barH + 3
			if v, ok := value(b.Second); ok {
				w := length(v, top2, span)
				d.rect("bar bar-2", 1, x0, sy, w, secondH, "")
				d.text(x0+w+5, baseline(sy+secondH/2, smallSize), smallSize, "start", ink, opts.SecondFormat.label(v), ` class="value"`)
			}
		}
		d.body.WriteString(`</g>`)
	}
	bottom := y + float64(len(bars))*rowH
	fmt.Fprintf(&d.body, `<path d="M%s %sV%s" stroke="%s" stroke-width="1"/>`, num(x0), num(top), num(bottom), axisLine)
	d.h = bottom + pad

	pts1 := make([]point, len(bars))
	pts2 := make([]point, len(bars))
	for i, b := range bars {
		v1, ok1 := value(b.Value)
		v2, ok2 := value(b.Second)
		pts1[i] = point{b.Label, v1, ok1}
		pts2[i] = point{b.Label, v2, ok2}
	}
	parts := []string{describe(opts.Name, pts1, opts.Format)}
	if second {
		parts = append(parts, describe(opts.SecondName, pts2, opts.SecondFormat))
	}
	d.desc = joinDesc(opts.Description, parts...)
	return d.html()
}

// barTop is the value of a full-length bar.
func barTop(m, max float64, f Format) float64 {
	switch {
	case max > 0:
		return max
	case f == Percent && m <= 1:
		return 1
	case m <= 0:
		return 1
	}
	return m
}

// length is the drawn length of v on a scale where top fills span.
func length(v, top, span float64) float64 {
	return math.Min(math.Max(v/top*span, 0), span)
}

// hbarTitle is a row's tooltip: its full label and exact values.
func hbarTitle(opts HBarOptions, b Bar, second bool) string {
	show := func(v *float64, f Format) string {
		if x, ok := value(v); ok {
			return f.exact(x)
		}
		return "no data"
	}
	var parts []string
	if second || opts.Name != "" {
		parts = append(parts, orDefault(opts.Name, "Value")+": "+show(b.Value, opts.Format))
	} else {
		parts = append(parts, show(b.Value, opts.Format))
	}
	if second {
		parts = append(parts, oneLine(opts.SecondName)+": "+show(b.Second, opts.SecondFormat))
	}
	if n := strings.TrimSpace(b.Note); n != "" {
		parts = append(parts, n)
	}
	sep := " — "
	if len(parts) == 1 && opts.Name == "" {
		sep = ": "
	}
	return orDefault(b.Label, "(no label)") + sep + strings.Join(parts, "; ")
}
