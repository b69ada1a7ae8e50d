// Package chart draws the committee dashboard's figures as accessible SVG on
// the server: horizontal bar charts (HBar), columns over time (Columns) and
// lines over time (Line).
//
// Each function returns a complete <svg> element as template.HTML, ready to
// be embedded inline in a page, typically inside <figure class="chart">, or
// written to a .svg file. The output:
//
//   - has role="img" and aria-labelledby pointing at its own <title> and
//     <desc>, which summarise the chart in words (the description lists every
//     value when there are few, and the highest and lowest when there are
//     many);
//   - gives every bar and point a <title> (a tooltip) with its full label and
//     exact value;
//   - tells series apart by pattern, line dash and marker shape as well as by
//     colour, with a legend, and uses colours with at least 3:1 contrast
//     against white and text colours with at least 4.5:1;
//   - uses text of 12 user units or more and scales with its viewBox and
//     width="100%" (no fixed pixel width);
//   - contains no script, event handler, inline style or external reference,
//     only presentation attributes and class names, so it passes a
//     Content-Security-Policy of style-src 'self';
//   - escapes every label and name, which are user-controlled text.
//
// Text scales with the figure, as everything in an SVG does. The default
// widths (420 units for HBar, 480 for Columns and Line) are a compromise: in
// a figure about 310 px wide on a 360 px phone, 14-unit text is drawn at
// roughly 10 px, and in a 700 px figure at 20 px. A page that shows charts
// wide should cap them (for example max-width: 40rem on figure.chart svg);
// a smaller Width gives larger text.
//
// Values are *float64 so that "no value" (nil) can be told from zero: a rate
// is undefined for a week in which nothing was booked. A nil value is drawn
// as a gap in a line, a missing column, or the words "no data" beside a bar.
// Num makes a value from a plain number. NaN and infinities count as nil.
//
// Percent values are fractions (0.79 is written 79%), as the attendance API
// reports its rate.
package chart

import (
	"encoding/xml"
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Format says how values are written on a chart and in its tooltips.
type Format int

const (
	// Integer writes counts as whole numbers with thousands separators: 1,234.
	Integer Format = iota
	// Percent writes fractions as percentages: 0.79 is 79% on the chart and
	// 79.2% in tooltips if that is the exact value.
	Percent
	// Decimal writes one decimal place on the chart (4.3) and up to two in
	// tooltips.
	Decimal
)

// Num returns a pointer to v, for Bar values and Series values.
func Num(v float64) *float64 { return &v }

// Series is one named sequence of values, one per label of a Columns or
// Line chart; a nil value is "no data" (a gap).
type Series struct {
	Name   string
	Values []*float64
}

// noData is the text drawn when a chart has nothing to show.
const noData = "No data for this period"

// value returns v and whether it is a usable number.
func value(v *float64) (float64, bool) {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return 0, false
	}
	return *v, true
}

// at returns the value of s at index i, nil when s is too short.
func (s Series) at(i int) *float64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return nil
}

// label writes v as it appears on the chart.
func (f Format) label(v float64) string {
	switch f {
	case Percent:
		return trimNum(math.Round(v*100), 0) + "%"
	case Decimal:
		return strconv.FormatFloat(round(v, 1), 'f', 1, 64)
	default:
		return group(math.Round(v))
	}
}

// exact writes v as it appears in a tooltip or description.
func (f Format) exact(v float64) string {
	switch f {
	case Percent:
		return trimNum(v*100, 1) + "%"
	case Decimal:
		return trimNum(v, 2)
	default:
		if v == math.Trunc(v) {
			return group(v)
		}
		return trimNum(v, 2)
	}
}

// tick writes an axis tick value; ticks are round numbers.
func (f Format) tick(v float64) string {
	switch f {
	case Percent:
		return trimNum(v*100, 1) + "%"
	case Decimal:
		return trimNum(v, 2)
	default:
		return group(math.Round(v))
	}
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	r := math.Round(v*p) / p
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

// trimNum writes v with at most places decimals and no trailing zeros.
func trimNum(v float64, places int) string {
	return strconv.FormatFloat(round(v, places), 'f', -1, 64)
}

// group writes the whole number v with comma thousands separators.
func group(v float64) string {
	if v == 0 {
		return "0"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// num writes a coordinate or length for an attribute.
func num(v float64) string { return trimNum(v, 2) }

// esc escapes s for XML (and HTML) text and attributes, replacing
// characters that XML forbids with U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// oneLine folds runs of white space (including new lines) into one space, for
// text drawn on the chart.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// helvetica holds the advance widths of ASCII 32–126 in thousandths of an em,
// close enough to the usual sans-serif fonts to lay out and truncate labels.
var helvetica = [95]uint16{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space – /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0 – 9
	278, 278, 584, 584, 584, 556, 1015, // : – @
	667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A – M
	722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N – Z
	278, 278, 278, 469, 556, 333, // [ – `
	556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a – m
	556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n – z
	334, 260, 334, 584, // { – ~
}

// slack allows for fonts wider than Helvetica (DejaVu Sans is up to 20%
// wider), so that text measured to fit does fit.
const slack = 1.2

// runeWidth returns the advance of r in ems.
func runeWidth(r rune) float64 {
	switch {
	case r >= 32 && r <= 126:
		return float64(helvetica[r-32]) / 1000
	case joins(r):
		return 0
	case wide(r):
		return 1
	case unicode.IsUpper(r):
		return 0.72
	default:
		return 0.6
	}
}

// joins reports whether r attaches to the character before it (combining
// marks, variation selectors, joiners, skin tones, tag characters), so that
// text must not be cut just before it.
func joins(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me) || r == 0x200d || r == 0x200c ||
		(r >= 0xfe00 && r <= 0xfe0f) || (r >= 0x1f3fb && r <= 0x1f3ff) || (r >= 0xe0020 && r <= 0xe007f)
}

// wide reports whether r is drawn about one em wide: CJK, Hangul, full-width
// forms and emoji.
func wide(r rune) bool {
	return (r >= 0x1100 && r <= 0x115f) || (r >= 0x2600 && r <= 0x27bf) || (r >= 0x2e80 && r <= 0xa4cf) ||
		(r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) ||
		(r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6) || (r >= 0x1f000 && r <= 0x1faff) ||
		(r >= 0x20000 && r <= 0x3fffd)
}

// textWidth estimates the width of s drawn at size.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w * size * slack
}

// ellipsis ends truncated text.
const ellipsis = "…"

// fit shortens s to fit in max units at size, ending it with an ellipsis,
// without splitting a character from its combining marks or an emoji
// sequence. It reports whether s was shortened.
func fit(s string, max, size float64) (string, bool) {
	if textWidth(s, size) <= max {
		return s, false
	}
	rs := []rune(s)
	room := max - textWidth(ellipsis, size)
	cut, w := 0, 0.0
	for cut < len(rs) {
		w += runeWidth(rs[cut]) * size * slack
		if w > room {
			break
		}
		cut++
	}
	cut = cutPoint(rs, cut)
	kept := strings.TrimRightFunc(string(rs[:cut]), unicode.IsSpace)
	return kept + ellipsis, true
}

// cutPoint moves cut back until rs[:cut] ends on a whole character.
func cutPoint(rs []rune, cut int) int {
	for cut > 0 && cut < len(rs) {
		switch {
		case joins(rs[cut]), rs[cut-1] == 0x200d:
			cut-- // keep a base character with what joins it
		case regional(rs[cut]) && regionalRun(rs[:cut])%2 == 1:
			cut-- // a flag is a pair of regional indicators
		default:
			return cut
		}
	}
	return cut
}

func regional(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

// regionalRun counts the regional indicators that end rs.
func regionalRun(rs []rune) int {
	n := 0
	for i := len(rs) - 1; i >= 0 && regional(rs[i]); i-- {
		n++
	}
	return n
}

// seq numbers charts that were given no ID, so that the ids of their
// <title>, <desc> and patterns are unique on a page showing several charts.
var seq atomic.Uint64

// chartID returns a safe id prefix: id with anything but ASCII letters,
// digits, '-' and '_' removed, or a fresh one if that leaves nothing.
func chartID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r < utf8.RuneSelf && (r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" {
		return "chart" + strconv.FormatUint(seq.Add(1), 10)
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		s = "c" + s
	}
	return s
}

// html returns s as template.HTML; every piece of s was escaped or generated
// here.
func html(s string) template.HTML {
	return template.HTML(s) // #nosec G203 -- built from escaped text only
}
