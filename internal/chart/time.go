package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// ColumnsOptions configures Columns.
type ColumnsOptions struct {
	// ID prefixes the ids inside the SVG and must be unique on the page;
	// empty generates one.
	ID string
	// Title names the chart for assistive technology, e.g. "Attendances
	// in person and online by week".
	Title string
	// Description is read after the title, before the generated summary.
	Description string
	// Format says how values are written.
	Format Format
	// Max fixes the top of the value axis; zero fits it to the data
	// (0–100% for percentages up to 100%).
	Max float64
	// Stacked stacks the series in one column per label, with the total
	// on top; otherwise the series stand side by side.
	Stacked bool
	// Width and Height size the viewBox in user units, 480 × 280 by
	// default.
	Width, Height int
}

// LineOptions configures Line.
type LineOptions struct {
	// ID prefixes the ids inside the SVG and must be unique on the page;
	// empty generates one.
	ID string
	// Title names the chart for assistive technology, e.g. "Attendance
	// rate by week".
	Title string
	// Description is read after the title, before the generated summary.
	Description string
	// Format says how values are written.
	Format Format
	// Max fixes the top of the value axis; zero fits it to the data
	// (0–100% for percentages up to 100%).
	Max float64
	// Width and Height size the viewBox in user units, 480 × 280 by
	// default.
	Width, Height int
}

// Columns draws vertical bars over time, one group (or stack) per label,
// for one or more series, with a value axis, gridlines and a legend. Each
// series has one value per label; extra values are ignored and missing or
// nil ones drawn as no column.
func Columns(opts ColumnsOptions, labels []string, series []Series) template.HTML {
	d := newDoc(opts.ID, "chart-columns", opts.Width, 480)
	d.title = orDefault(opts.Title, "Column chart")
	if !hasData(labels, series) {
		d.empty(80)
		d.desc = joinDesc(opts.Description, d.desc)
		return d.html()
	}
	m := 0.0
	for i := range labels {
		sum := 0.0
		for _, s := range series {
			if v, ok := value(s.at(i)); ok {
				if opts.Stacked {
					sum += math.Max(v, 0)
				} else {
					m = math.Max(m, v)
				}
			}
		}
		m = math.Max(m, sum)
	}
	legend := len(series) > 1 || strings.TrimSpace(series[0].Name) != ""
	f := d.frame(labels, series, legend, false, m, opts.Max, opts.Format, opts.Height)

	k := len(series)
	inner := f.band * 0.78
	if f.band-inner < 1 {
		inner = f.band - 1
	}
	barW := inner
	if !opts.Stacked {
		barW = inner / float64(k)
	}
	// Values are printed above the columns only if every one of them fits
	// without touching its neighbour: some numbers missing would look like
	// missing data.
	type valueLabel struct {
		x, y, w float64
		text    string
	}
	var values []valueLabel
	fits := true
	room := inner + (f.band-inner)/2
	if !opts.Stacked {
		room = barW + (f.band-inner)/2
	}
	for i, label := range labels {
		cx := f.x(i)
		left := cx - inner/2
		fmt.Fprintf(&d.body, `<g class="col"><title>%s</title>`, esc(categoryTitle(label, series, i, opts.Format)))
		fmt.Fprintf(&d.body, `<rect class="hit" x="%s" y="%s" width="%s" height="%s" fill="%s" fill-opacity="0"/>`,
			num(f.x0+float64(i)*f.band), num(f.y0), num(f.band), num(f.y1-f.y0), paper)
		base := f.y1
		total, stacked := 0.0, false
		var prev valueLabel // the last value label in this column
		for j, s := range series {
			v, ok := value(s.at(i))
			if !ok {
				continue
			}
			h := f.height(math.Max(v, 0))
			title := pointTitle(label, s.Name, len(series), v, opts.Format)
			if opts.Stacked {
				d.rect("bar", j, left, base-h, barW, h, title)
				base -= h
				total, stacked = total+v, true
				continue
			}
			x := left + float64(j)*barW
			d.rect("bar", j, x, f.y1-h, barW, h, title)
			txt := opts.Format.label(v)
			l := valueLabel{x + barW/2, f.y1 - h - 4, textWidth(txt, smallSize) / slack * 1.05, txt}
			if l.w > room || prev.text != "" && math.Abs(l.y-prev.y) < smallSize && l.x-prev.x < (l.w+prev.w)/2+1 {
				fits = false
			}
			values = append(values, l)
			prev = l
		}
		if stacked {
			txt := opts.Format.label(total)
			l := valueLabel{cx, base - 4, textWidth(txt, smallSize) / slack * 1.05, txt}
			fits = fits && l.w <= room
			values = append(values, l)
		}
		d.body.WriteString(`</g>`)
	}
	if fits && len(values) > 0 {
		d.body.WriteString(`<g class="values">`)
		for _, l := range values {
			d.text(l.x, l.y, smallSize, "middle", ink, l.text, "")
		}
		d.body.WriteString(`</g>`)
	}
	f.axisLine(d)
	d.desc = joinDesc(opts.Description, describeSeries(labels, series, opts.Format)...)
	return d.html()
}

// Line draws one or more series as lines over time, with a marker on each
// value, a value axis, gridlines and, for several series, a legend. A nil
// value breaks the line (a gap); a value with no neighbour is a lone marker.
func Line(opts LineOptions, labels []string, series []Series) template.HTML {
	d := newDoc(opts.ID, "chart-line", opts.Width, 480)
	d.title = orDefault(opts.Title, "Line chart")
	if !hasData(labels, series) {
		d.empty(80)
		d.desc = joinDesc(opts.Description, d.desc)
		return d.html()
	}
	m := 0.0
	for _, s := range series {
		for i := range labels {
			if v, ok := value(s.at(i)); ok {
				m = math.Max(m, v)
			}
		}
	}
	f := d.frame(labels, series, len(series) > 1, true, m, opts.Max, opts.Format, opts.Height)

	for i, label := range labels {
		fmt.Fprintf(&d.body, `<rect class="hit" x="%s" y="%s" width="%s" height="%s" fill="%s" fill-opacity="0"><title>%s</title></rect>`,
			num(f.x0+float64(i)*f.band), num(f.y0), num(f.band), num(f.y1-f.y0), paper,
			esc(categoryTitle(label, series, i, opts.Format)))
	}
	r := math.Max(2.5, math.Min(4, f.band*0.3))
	for j, s := range series {
		st := styleOf(j)
		var path strings.Builder
		run := 0
		for i := range labels {
			v, ok := value(s.at(i))
			if !ok {
				run = 0
				continue
			}
			cmd := "L"
			if run == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%s %s", cmd, num(f.x(i)), num(f.y1-f.height(v)))
			run++
		}
		fmt.Fprintf(&d.body, `<path class="line" d="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"%s/>`,
			path.String(), st.color, dashAttr(st.dash))
	}
	for j, s := range series {
		for i, label := range labels {
			v, ok := value(s.at(i))
			if !ok {
				continue
			}
			fmt.Fprintf(&d.body, `<g class="point"><title>%s</title>`, esc(pointTitle(label, s.Name, len(series), v, opts.Format)))
			d.marker(j, f.x(i), f.y1-f.height(v), r)
			d.body.WriteString(`</g>`)
		}
	}
	f.axisLine(d)
	d.desc = joinDesc(opts.Description, describeSeries(labels, series, opts.Format)...)
	return d.html()
}

// frame is the plot area of a chart with a value axis: x0–x1 across,
// y0 (top) – y1 (zero) down, one band per label.
type frame struct {
	x0, x1, y0, y1 float64
	band, top      float64
}

func (f frame) x(i int) float64 { return f.x0 + (float64(i)+0.5)*f.band }

// height is the drawn height of v, at least 1 unit for a positive value so
// that it stays visible.
func (f frame) height(v float64) float64 {
	h := math.Min(math.Max(v/f.top, 0), 1) * (f.y1 - f.y0)
	if v > 0 && h < 1 {
		h = 1
	}
	return h
}

func (f frame) axisLine(d *doc) {
	fmt.Fprintf(&d.body, `<path class="axis" d="M%s %sH%s" stroke="%s" stroke-width="1"/>`, num(f.x0), num(f.y1), num(f.x1), axisLine)
}

// frame draws the legend, the value axis with its gridlines and the labels
// along the bottom, and returns the plot area. Labels are thinned to every
// second, third … one when they would not fit side by side.
func (d *doc) frame(labels []string, series []Series, legend, lines bool, m, fixed float64, f Format, height int) frame {
	d.h = float64(height)
	if d.h <= 0 {
		d.h = 280
	}
	y := pad
	if legend {
		names := make([]string, len(series))
		for i, s := range series {
			names[i] = s.Name
		}
		y += d.legend(names, lines, y)
	}
	top, ticks := scale(m, fixed, f)
	tickW := 0.0
	for _, t := range ticks {
		tickW = math.Max(tickW, textWidth(f.tick(t), smallSize))
	}
	fr := frame{x0: pad + tickW + 6, x1: d.w - pad, y0: y + 12, top: top}
	fr.y1 = math.Max(d.h-pad-22, fr.y0+100)
	d.h = fr.y1 + 22 + pad
	fr.band = (fr.x1 - fr.x0) / float64(len(labels))

	d.body.WriteString(`<g class="grid">`)
	for _, t := range ticks {
		ty := fr.y1 - t/top*(fr.y1-fr.y0)
		if t > 0 {
			fmt.Fprintf(&d.body, `<path d="M%s %sH%s" stroke="%s" stroke-width="1"/>`, num(fr.x0), num(ty), num(fr.x1), gridLine)
		}
		d.text(fr.x0-6, baseline(ty, smallSize), smallSize, "end", muted, f.tick(t), "")
	}
	d.body.WriteString(`</g>`)

	widest := 0.0
	for _, l := range labels {
		widest = math.Max(widest, textWidth(oneLine(l), smallSize))
	}
	widest = math.Min(widest, 120)
	step := max(int(math.Ceil((widest+6)/fr.band)), 1)
	d.body.WriteString(`<g class="x-labels">`)
	for i, l := range labels {
		if i%step != 0 {
			continue
		}
		room := math.Min(fr.band*float64(step)-6, 120)
		shown, cut := fit(oneLine(l), room, smallSize)
		if cut {
			fmt.Fprintf(&d.body, `<text x="%s" y="%s" font-size="%s" text-anchor="middle" fill="%s"><title>%s</title>%s</text>`,
				num(fr.x(i)), num(fr.y1+17), num(smallSize), muted, esc(l), esc(shown))
			continue
		}
		d.text(fr.x(i), fr.y1+17, smallSize, "middle", muted, shown, "")
	}
	d.body.WriteString(`</g>`)
	return fr
}

// hasData reports whether any series has a value for any label.
func hasData(labels []string, series []Series) bool {
	for _, s := range series {
		for i := range labels {
			if _, ok := value(s.at(i)); ok {
				return true
			}
		}
	}
	return false
}

// pointTitle is the tooltip of one value: "Week 3 — Online: 17", or
// "Week 3: 17" for a single unnamed series.
func pointTitle(label, name string, n int, v float64, f Format) string {
	label = orDefault(label, "(no label)")
	if name = strings.TrimSpace(name); name == "" {
		if n == 1 {
			return label + ": " + f.exact(v)
		}
		name = "Value"
	}
	return label + " — " + name + ": " + f.exact(v)
}

// categoryTitle is the tooltip of one label: every series' value there.
func categoryTitle(label string, series []Series, i int, f Format) string {
	label = orDefault(label, "(no label)")
	var parts []string
	for j, s := range series {
		v := "no data"
		if x, ok := value(s.at(i)); ok {
			v = f.exact(x)
		}
		if len(series) == 1 && strings.TrimSpace(s.Name) == "" {
			return label + ": " + v
		}
		parts = append(parts, orDefault(s.Name, fmt.Sprintf("Series %d", j+1))+": "+v)
	}
	return label + " — " + strings.Join(parts, "; ")
}

// describeSeries summarises each series in words.
func describeSeries(labels []string, series []Series, f Format) []string {
	var out []string
	for j, s := range series {
		pts := make([]point, len(labels))
		for i, l := range labels {
			v, ok := value(s.at(i))
			pts[i] = point{l, v, ok}
		}
		name := s.Name
		if len(series) > 1 {
			name = orDefault(name, fmt.Sprintf("Series %d", j+1))
		}
		out = append(out, describe(name, pts, f))
	}
	return out
}
