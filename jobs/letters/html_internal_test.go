package letters

import (
	"fmt"
	"testing"
)

func TestParagraphBlocks(t *testing.T) {
	button := &Button{Label: "Give feedback", URL: "https://r.example/sessions/1/feedback"}
	for _, tt := range []struct {
		name, para string
		button     *Button
		want       string
	}{
		{"prose reflows", "Thank you for coming to\nRenal physiology.", nil, "[{Thank you for coming to Renal physiology. }]"},
		{"details with labels", "  Cardiology: ECGs\n  When:      Monday\n  Taught by: Dr A", nil,
			"[items {Cardiology: ECGs} {When:|Monday} {Taught by:|Dr A}]"},
		{"a numbered list goes on", "  1. Find a session\n     and book.\n  2. Check in.", nil,
			"[items {1. Find a session and book.} {2. Check in.}]"},
		{"the button's line", "The form takes a minute:\n\n  https://r.example/sessions/1/feedback", button, "[{The form takes a minute: } button]"},
		{"a link ends before a full stop", "See https://r.example/x.", nil, "[{See |https://r.example/x|. }]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			placed := false
			var got []htmlBlock
			for _, p := range splitParagraphs(tt.para) {
				got = append(got, paragraphBlocks(p, tt.button, &placed)...)
			}
			if s := describe(got); s != tt.want {
				t.Errorf("got %s, want %s", s, tt.want)
			}
		})
	}
}

func describe(blocks []htmlBlock) string {
	out := "["
	for i, b := range blocks {
		if i > 0 {
			out += " "
		}
		switch {
		case b.Button != nil:
			out += "button"
		case b.Items != nil:
			out += "items"
			for _, it := range b.Items {
				if it.Label != "" {
					out += fmt.Sprintf(" {%s|%s}", it.Label, segs(it.Text))
				} else {
					out += fmt.Sprintf(" {%s}", segs(it.Text))
				}
			}
		default:
			out += "{" + segs(b.Text) + " }"
		}
	}
	return out + "]"
}

func segs(ss []segment) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += "|"
		}
		out += s.Text
	}
	return out
}
