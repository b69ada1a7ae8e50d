package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Colours. Text colours have at least 4.5:1 contrast against white, series
// colours at least 3:1 (WCAG 1.4.3 and 1.4.11).
const (
	ink      = "#1b1f23"
	muted    = "#4f5b66"
	axisLine = "#6b7682"
	gridLine = "#dde2e7"
	track    = "#eef1f4"
	paper    = "#ffffff"
	fonts    = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
)

// Text sizes in user units; none is below 12; labels are 14 and the rest 13.
const (
	labelSize = 14.0
	smallSize = 13.0
	pad       = 8.0
)

// style is how one series is drawn, so that it can be told apart without
// colour: by fill pattern for bars, by dash and marker shape for lines.
type style struct {
	color   string
	pattern string // "", "stripes", "dots", "cross"
	dash    string
	marker  string // "circle", "square", "triangle", "diamond"
}

var styles = []style{
	{"#0b5d63", "", "", "circle"},
	{"#b8561b", "stripes", "7 4", "square"},
	{"#5b3f99", "dots", "2 3", "triangle"},
	{"#4f5b66", "cross", "10 3 2 3", "diamond"},
}

func styleOf(i int) style { return styles[i%len(styles)] }

// doc collects the parts of one SVG.
type doc struct {
	id, class    string
	w, h         float64
	title, desc  string
	defs, body   strings.Builder
	patternsUsed map[int]bool
}

func newDoc(id, class string, width int, defWidth float64) *doc {
	w := float64(width)
	if w <= 0 {
		w = defWidth
	}
	w = math.Max(w, 240)
	return &doc{id: chartID(id), class: class, w: w, patternsUsed: map[int]bool{}}
}

// fill returns the fill attribute value for series i, defining its pattern
// on first use.
func (d *doc) fill(i int) string {
	st := styleOf(i)
	if st.pattern == "" {
		return st.color
	}
	if !d.patternsUsed[i] {
		d.patternsUsed[i] = true
		pid := fmt.Sprintf("%s-p%d", d.id, i)
		switch st.pattern {
		case "stripes":
			fmt.Fprintf(&d.defs, `<pattern id="%s" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/><rect width="2.2" height="6" fill="%s" fill-opacity="0.6"/></pattern>`, pid, st.color, paper)
		case "dots":
			fmt.Fprintf(&d.defs, `<pattern id="%s" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/><circle cx="3" cy="3" r="1.4" fill="%s" fill-opacity="0.7"/></pattern>`, pid, st.color, paper)
		default:
			fmt.Fprintf(&d.defs, `<pattern id="%s" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/><path d="M0 3H6M3 0V6" stroke="%s" stroke-opacity="0.6" stroke-width="1.2"/></pattern>`, pid, st.color, paper)
		}
	}
	return fmt.Sprintf("url(#%s-p%d)", d.id, i)
}

// rect draws a bar of series i; the outline keeps a striped bar's edge in
// contrast with the background.
func (d *doc) rect(class string, i int, x, y, w, h float64, title string) {
	st := styleOf(i)
	if title != "" {
		fmt.Fprintf(&d.body, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="1"><title>%s</title></rect>`,
			class, num(x), num(y), num(w), num(h), d.fill(i), st.color, esc(title))
		return
	}
	fmt.Fprintf(&d.body, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="1"/>`,
		class, num(x), num(y), num(w), num(h), d.fill(i), st.color)
}

// text draws s (already fitted, not yet escaped) with a baseline at y.
func (d *doc) text(x, y, size float64, anchor, color, s string, extra string) {
	fmt.Fprintf(&d.body, `<text x="%s" y="%s" font-size="%s" text-anchor="%s" fill="%s"%s>%s</text>`,
		num(x), num(y), num(size), anchor, color, extra, esc(s))
}

// baseline returns the baseline that centres text of size on y.
func baseline(y, size float64) float64 { return y + size*0.35 }

// marker draws series i's marker centred on (x, y).
func (d *doc) marker(i int, x, y, r float64) {
	st := styleOf(i)
	const edge = ` stroke="#ffffff" stroke-width="1"`
	switch st.marker {
	case "square":
		s := r * 1.75
		fmt.Fprintf(&d.body, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`, num(x-s/2), num(y-s/2), num(s), num(s), st.color, edge)
	case "triangle":
		s := r * 1.25
		fmt.Fprintf(&d.body, `<path d="M%s %sL%s %sL%s %sZ" fill="%s"%s/>`,
			num(x), num(y-s*1.15), num(x+s), num(y+s*0.75), num(x-s), num(y+s*0.75), st.color, edge)
	case "diamond":
		s := r * 1.3
		fmt.Fprintf(&d.body, `<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="%s"%s/>`,
			num(x), num(y-s), num(x+s), num(y), num(x), num(y+s), num(x-s), num(y), st.color, edge)
	default:
		fmt.Fprintf(&d.body, `<circle cx="%s" cy="%s" r="%s" fill="%s"%s/>`, num(x), num(y), num(r), st.color, edge)
	}
}

// legend draws one entry per name from the top left at y, wrapping to new
// lines within the chart's width, and returns the height it took. Bar
// legends show a patterned swatch, line legends a dashed line and marker.
func (d *doc) legend(names []string, lines bool, y float64) float64 {
	const (
		swatch = 14.0
		gap    = 18.0
		rowH   = 22.0
	)
	sw := swatch
	if lines {
		sw = 28
	}
	maxText := d.w - 2*pad - sw - 6
	x, rows := pad, 1
	fmt.Fprintf(&d.body, `<g class="legend">`)
	for i, name := range names {
		name = oneLine(name)
		if name == "" {
			name = fmt.Sprintf("Series %d", i+1)
		}
		shown, cut := fit(name, maxText, smallSize)
		w := sw + 6 + textWidth(shown, smallSize)
		if x > pad && x+w > d.w-pad {
			x, rows = pad, rows+1
		}
		cy := y + float64(rows-1)*rowH + rowH/2
		fmt.Fprintf(&d.body, `<g class="legend-item">`)
		if cut {
			fmt.Fprintf(&d.body, `<title>%s</title>`, esc(name))
		}
		if lines {
			st := styleOf(i)
			fmt.Fprintf(&d.body, `<path d="M%s %sH%s" stroke="%s" stroke-width="2.5"%s fill="none"/>`,
				num(x), num(cy), num(x+sw), st.color, dashAttr(st.dash))
			d.marker(i, x+sw/2, cy, 4)
		} else {
			d.rect("swatch", i, x, cy-swatch/2, swatch, swatch, "")
		}
		d.text(x+sw+6, baseline(cy, smallSize), smallSize, "start", ink, shown, "")
		d.body.WriteString(`</g>`)
		x += w + gap
	}
	d.body.WriteString(`</g>`)
	return float64(rows)*rowH + 6
}

func dashAttr(dash string) string {
	if dash == "" {
		return ""
	}
	return ` stroke-dasharray="` + dash + `"`
}

// empty draws the "no data" message in place of a chart.
func (d *doc) empty(h float64) {
	d.h = h
	d.desc = noData + "."
	d.text(d.w/2, baseline(h/2, labelSize), labelSize, "middle", muted, noData, ` class="no-data"`)
}

// html assembles the SVG element.
func (d *doc) html() template.HTML {
	var b strings.Builder
	tid, did := d.id+"-title", d.id+"-desc"
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart %s" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%s %s" font-family="%s">`,
		d.class, num(d.w), num(math.Ceil(d.h)), tid, did, fonts)
	fmt.Fprintf(&b, `<title id="%s">%s</title><desc id="%s">%s</desc>`, tid, esc(d.title), did, esc(d.desc))
	if d.defs.Len() > 0 {
		fmt.Fprintf(&b, `<defs>%s</defs>`, d.defs.String())
	}
	fmt.Fprintf(&b, `<rect class="chart-bg" width="%s" height="%s" fill="%s"/>`, num(d.w), num(math.Ceil(d.h)), paper)
	b.WriteString(d.body.String())
	b.WriteString(`</svg>`)
	return html(b.String())
}

// scale returns the top of a value axis that starts at zero and the ticks
// on it, for data whose largest value is m. A positive max fixes the top.
// Percentages up to 100% are always shown against 0–100%.
func scale(m, max float64, f Format) (top float64, ticks []float64) {
	switch {
	case max > 0:
		top = max
	case f == Percent && m <= 1:
		top = 1
	case m <= 0:
		top = 1
	}
	// A fixed top is split in quarters; data gets up to five steps, so
	// that the tallest value fills most of the height.
	raw := top / 4
	if top == 0 {
		raw = m / 5
	}
	step := niceStep(raw, f)
	if top == 0 {
		top = math.Ceil(m/step-1e-9) * step
	}
	for i := 0; ; i++ {
		t := float64(i) * step
		if t > top*(1+1e-9) {
			break
		}
		ticks = append(ticks, t)
	}
	return top, ticks
}

// niceStep rounds a raw tick step up to 1, 2, 2.5 or 5 times a power of ten;
// whole numbers for counts and whole percentages for rates.
func niceStep(raw float64, f Format) float64 {
	unit := 1.0
	if f == Percent {
		unit = 0.01
	}
	if raw <= 0 {
		return unit
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	var step float64
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		step = m * p
		if f != Decimal && m == 2.5 && step/unit < 10 {
			continue // 2.5 is not a whole number, 25 is
		}
		if step >= raw*(1-1e-9) {
			break
		}
	}
	if f != Decimal && step < unit {
		step = unit
	}
	return step
}

// point is one labelled value for a description.
type point struct {
	label string
	v     float64
	ok    bool
}

// describe summarises one series in words: every value when there are
// few, the first, last, highest and lowest when there are many.
func describe(name string, pts []point, f Format) string {
	var b strings.Builder
	if name != "" {
		b.WriteString(oneLine(name) + ": ")
	}
	var have []point
	missing := 0
	for _, p := range pts {
		if p.ok {
			have = append(have, p)
		} else {
			missing++
		}
	}
	if len(have) == 0 {
		b.WriteString("no data.")
		return b.String()
	}
	if len(pts) <= 12 {
		for i, p := range pts {
			if i > 0 {
				b.WriteString("; ")
			}
			v := "no data"
			if p.ok {
				v = f.exact(p.v)
			}
			fmt.Fprintf(&b, "%s, %s", oneLine(p.label), v)
		}
		b.WriteString(".")
		return b.String()
	}
	hi, lo := have[0], have[0]
	for _, p := range have {
		if p.v > hi.v {
			hi = p
		}
		if p.v < lo.v {
			lo = p
		}
	}
	first, last := have[0], have[len(have)-1]
	fmt.Fprintf(&b, "%d values, from %s (%s) to %s (%s); highest %s (%s), lowest %s (%s)",
		len(have), f.exact(first.v), oneLine(first.label), f.exact(last.v), oneLine(last.label),
		f.exact(hi.v), oneLine(hi.label), f.exact(lo.v), oneLine(lo.label))
	if missing > 0 {
		fmt.Fprintf(&b, "; no data for %d of %d", missing, len(pts))
	}
	b.WriteString(".")
	return b.String()
}

// joinDesc puts the caller's description before the generated summary.
func joinDesc(given string, parts ...string) string {
	all := append([]string{strings.TrimSpace(given)}, parts...)
	var keep []string
	for _, p := range all {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, " ")
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	return s
}
