package chart

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFormats(t *testing.T) {
	cases := []struct {
		f            Format
		v            float64
		label, exact string
	}{
		{Percent, 0.79, "79%", "79%"},
		{Percent, 0.7925, "79%", "79.3%"},
		{Percent, 0.005, "1%", "0.5%"},
		{Percent, 0, "0%", "0%"},
		{Percent, 1.25, "125%", "125%"},
		{Integer, 0, "0", "0"},
		{Integer, 999, "999", "999"},
		{Integer, 1000, "1,000", "1,000"},
		{Integer, -12345, "-12,345", "-12,345"},
		{Integer, 12.5, "13", "12.5"},
		{Decimal, 4.25, "4.3", "4.25"},
		{Decimal, -0.0001, "0.0", "0"},
	}
	for _, c := range cases {
		if got := c.f.label(c.v); got != c.label {
			t.Errorf("label(%v, %v) = %q, want %q", c.f, c.v, got, c.label)
		}
		if got := c.f.exact(c.v); got != c.exact {
			t.Errorf("exact(%v, %v) = %q, want %q", c.f, c.v, got, c.exact)
		}
	}
}

func TestScale(t *testing.T) {
	cases := []struct {
		m, max float64
		f      Format
		top    float64
		ticks  int
	}{
		{0.62, 0, Percent, 1, 5},  // rates: 0–100% in quarters
		{0, 0, Percent, 1, 5},     // all zero
		{1.3, 0, Percent, 1.5, 4}, // over 100%: 0, 50, 100, 150
		{0, 0, Integer, 1, 2},     // all zero: 0, 1
		{3, 0, Integer, 3, 4},     // small counts: whole steps
		{48, 0, Integer, 50, 6},   // 0, 10, … 50
		{212, 0, Integer, 250, 6}, // 0, 50, … 250
		{37, 100, Integer, 100, 5},
		{4.3, 0, Decimal, 5, 6},
	}
	for _, c := range cases {
		top, ticks := scale(c.m, c.max, c.f)
		if top != c.top || len(ticks) != c.ticks {
			t.Errorf("scale(%v, %v, %v) = %v %v, want top %v and %d ticks", c.m, c.max, c.f, top, ticks, c.top, c.ticks)
		}
		if ticks[0] != 0 || ticks[len(ticks)-1] > top {
			t.Errorf("scale(%v): ticks %v outside 0–%v", c.m, ticks, top)
		}
		if c.f == Integer {
			for _, tk := range ticks {
				if tk != float64(int(tk)) {
					t.Errorf("scale(%v): count tick %v is not whole", c.m, tk)
				}
			}
		}
	}
}

func TestFitKeepsCharactersWhole(t *testing.T) {
	labels := []string{
		"Paediatrics 👩🏽‍⚕️👩🏽‍⚕️👩🏽‍⚕️👩🏽‍⚕️ quick-fire",
		"Flags 🇬🇧🇫🇷🇩🇪🇮🇹🇪🇸 for the international night",
		"Cafe\u0301 cafe\u0301 cafe\u0301 cafe\u0301 cafe\u0301 cafe\u0301",
		"心臓病学 心臓病学 心臓病学 心臓病学",
	}
	for _, s := range labels {
		for max := 20.0; max < 400; max += 3 {
			got, cut := fit(s, max, labelSize)
			if !cut {
				if got != s {
					t.Errorf("fit changed %q without cutting it", s)
				}
				continue
			}
			if !strings.HasSuffix(got, ellipsis) || !utf8.ValidString(got) {
				t.Fatalf("fit(%q, %v) = %q", s, max, got)
			}
			kept := []rune(strings.TrimSuffix(got, ellipsis))
			orig := []rune(s)
			n := len(kept)
			if n > 0 && n < len(orig) {
				// Whatever follows the cut must not attach to what was kept.
				if next := orig[n]; joins(next) && !isSpaceRun(orig, n) {
					t.Errorf("fit(%q, %v) = %q splits before %U", s, max, got, next)
				}
				if kept[n-1] == 0x200d {
					t.Errorf("fit(%q, %v) = %q ends with a joiner", s, max, got)
				}
				if regional(orig[n]) && regionalRun(orig[:n])%2 == 1 {
					t.Errorf("fit(%q, %v) = %q splits a flag", s, max, got)
				}
			}
			if w := textWidth(got, labelSize); w > max+0.01 && len(kept) > 0 {
				t.Errorf("fit(%q, %v) = %q is %v wide", s, max, got, w)
			}
		}
	}
}

// isSpaceRun reports whether trailing spaces were trimmed at n, so that
// orig[n] is not what followed the kept text.
func isSpaceRun(orig []rune, n int) bool { return n > 0 && orig[n-1] == ' ' }

// TestEscape: escaped text reads back as itself, in an element and in an
// attribute, with what XML forbids replaced.
func TestEscape(t *testing.T) {
	in := "<a href=\"x\">&'\x00\x1b\u0085\ufffe</a>\r\n"
	want := "<a href=\"x\">&'\ufffd\ufffd\u0085\ufffd</a>\r\n"
	var doc struct {
		Attr string `xml:"a,attr"`
		Text string `xml:",chardata"`
	}
	if err := xml.Unmarshal([]byte(`<t a="`+esc(in)+`">`+esc(in)+`</t>`), &doc); err != nil {
		t.Fatalf("escaped text is not XML: %v", err)
	}
	if doc.Attr != want || doc.Text != want {
		t.Errorf("read back %q and %q, want %q", doc.Attr, doc.Text, want)
	}
	if got := esc("ok \xff"); got != "ok \ufffd" {
		t.Errorf("invalid UTF-8: %q", got)
	}
}

func TestChartID(t *testing.T) {
	for in, want := range map[string]string{
		"rate-by-year": "rate-by-year",
		`a b"><c`:      "abc",
		"2024":         "c2024",
		"é":            "",
	} {
		got := chartID(in)
		if want == "" {
			if !strings.HasPrefix(got, "chart") {
				t.Errorf("chartID(%q) = %q, want a generated id", in, got)
			}
			continue
		}
		if got != want {
			t.Errorf("chartID(%q) = %q, want %q", in, got, want)
		}
	}
}

// contrast returns the WCAG contrast ratio of colour #rrggbb against white.
func contrast(t *testing.T, hex string) float64 {
	t.Helper()
	var rgb [3]float64
	for i := range rgb {
		var v int
		if _, err := fmt.Sscanf(hex[1+2*i:3+2*i], "%02x", &v); err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			rgb[i] = c / 12.92
		} else {
			rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	l := 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	return 1.05 / (l + 0.05)
}

func TestColourContrast(t *testing.T) {
	for _, c := range []string{ink, muted} {
		if r := contrast(t, c); r < 4.5 {
			t.Errorf("text colour %s has contrast %.2f against white, want 4.5", c, r)
		}
	}
	for _, st := range styles {
		if r := contrast(t, st.color); r < 3 {
			t.Errorf("series colour %s has contrast %.2f against white, want 3", st.color, r)
		}
	}
	if r := contrast(t, axisLine); r < 3 {
		t.Errorf("axis colour has contrast %.2f", r)
	}
}
