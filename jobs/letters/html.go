package letters

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"regexp"
	"strings"

	"rounds/templates"
)

// The HTML part of an e-mail is the plain text laid out in one page
// (templates/mail/layout.html): paragraphs that reflow on a phone, the
// indented lines (the session's details, a numbered list) as a list, links
// that can be tapped, and the letter's one action as a button. Building it
// from the text keeps both parts saying the same, and gives every kind an
// HTML part without a second template to keep in step.

// Button is the one action of a letter.
type Button struct {
	Label, URL string
}

// Button makes url the letter's button, labelled label, and returns url:
// in the plain text, {{.Button "Give feedback" .Vars.Feedback}} writes the
// link as before. Only the first call makes the button.
func (l *Letter) Button(label, url string) string {
	if l.button == nil && url != "" {
		l.button = &Button{Label: label, URL: url}
	}
	return url
}

// htmlLink is a link in the footer of the HTML part.
type htmlLink struct {
	Label, URL string
}

type htmlPage struct {
	Title, Society string
	Blocks         []htmlBlock
	Footer         [][]segment
	Unsubscribe    *htmlLink
}

// htmlBlock is a paragraph, a list of indented lines, or the button.
type htmlBlock struct {
	Text   []segment
	Items  []htmlItem
	Button *Button
}

type htmlItem struct {
	Label string // "When:" in "  When:      Monday …"
	Text  []segment
}

// segment is a run of text, a link when Href is set.
type segment struct {
	Text, Href string
}

// htmlLayout is templates/mail/layout.html, parsed.
type htmlLayout struct{ t *template.Template }

// parseLayout reads layout.html from fsys, or from the embedded templates
// when fsys (a test's) has none.
func parseLayout(fsys fs.FS, embedded bool) (*htmlLayout, error) {
	b, err := fs.ReadFile(fsys, "layout.html")
	if err != nil && !embedded {
		sub, serr := fs.Sub(templates.FS, "mail")
		if serr != nil {
			return nil, fmt.Errorf("letters: %w", serr)
		}
		b, err = fs.ReadFile(sub, "layout.html")
	}
	if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	t, err := template.New("layout.html").Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("letters: layout.html: %w", err)
	}
	return &htmlLayout{t: t}, nil
}

// render lays out a letter's plain text (as tidy leaves it).
func (layout *htmlLayout) render(subject, society, text string, button *Button, unsubscribe *htmlLink) (string, error) {
	body, footer, _ := strings.Cut(text, "\n-- \n")
	page := htmlPage{Title: subject, Society: society, Unsubscribe: unsubscribe}
	placed := false
	for _, para := range splitParagraphs(body) {
		page.Blocks = append(page.Blocks, paragraphBlocks(para, button, &placed)...)
	}
	if button != nil && !placed {
		page.Blocks = append(page.Blocks, htmlBlock{Button: button})
	}
	for _, line := range strings.Split(strings.TrimSpace(footer), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			page.Footer = append(page.Footer, linkify(line))
		}
	}
	var out bytes.Buffer
	if err := layout.t.Execute(&out, page); err != nil {
		return "", fmt.Errorf("letters: html: %w", err)
	}
	return out.String(), nil
}

// splitParagraphs splits text at its blank lines.
func splitParagraphs(text string) []string {
	var out []string
	for _, para := range strings.Split(strings.TrimRight(text, "\n"), "\n\n") {
		if strings.TrimSpace(para) != "" {
			out = append(out, para)
		}
	}
	return out
}

// paragraphBlocks turns one paragraph of the text into blocks: its lines
// of prose joined (the text's line breaks are for 72 columns, not for a
// phone), and its indented lines as a list, where a line indented further
// than the first goes on with the item before it. A line that is the
// button's link alone becomes the button, once.
func paragraphBlocks(para string, button *Button, placed *bool) []htmlBlock {
	var out []htmlBlock
	var prose []string
	var items []string
	indent := -1
	flushProse := func() {
		if len(prose) > 0 {
			out = append(out, htmlBlock{Text: linkify(strings.Join(prose, " "))})
			prose = nil
		}
	}
	flushItems := func() {
		if len(items) > 0 {
			b := htmlBlock{}
			for i, it := range items {
				b.Items = append(b.Items, item(it, i == 0))
			}
			out = append(out, b)
			items, indent = nil, -1
		}
	}
	for _, line := range strings.Split(para, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		depth := len(line) - len(trimmed)
		switch {
		case button != nil && !*placed && strings.TrimSpace(line) == button.URL:
			flushProse()
			flushItems()
			out = append(out, htmlBlock{Button: button})
			*placed = true
		case depth < 2:
			flushItems()
			prose = append(prose, strings.TrimSpace(line))
		case indent >= 0 && depth > indent && len(items) > 0:
			items[len(items)-1] += " " + strings.TrimSpace(trimmed)
		default:
			flushProse()
			if indent < 0 {
				indent = depth
			}
			items = append(items, strings.TrimSpace(trimmed))
		}
	}
	flushProse()
	flushItems()
	return out
}

// labelled finds "When:      Monday …" in a list of details. The first
// line of a list is often a title ("Cardiology: ECGs"), so it is taken
// for a label only when spaces line its value up with the lines below.
var (
	labelled      = regexp.MustCompile(`^([A-Z][A-Za-z ]{0,15}:) +(.*)$`)
	labelledFirst = regexp.MustCompile(`^([A-Z][A-Za-z ]{0,15}:) {2,}(.*)$`)
)

func item(s string, first bool) htmlItem {
	re := labelled
	if first {
		re = labelledFirst
	}
	if m := re.FindStringSubmatch(s); m != nil {
		return htmlItem{Label: m[1], Text: linkify(m[2])}
	}
	return htmlItem{Text: linkify(s)}
}

var webAddress = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify splits s into text and links; a full stop or bracket that ends a
// sentence is not part of the link.
func linkify(s string) []segment {
	var out []segment
	last := 0
	for _, m := range webAddress.FindAllStringIndex(s, -1) {
		end := m[1]
		for end > m[0] && strings.ContainsRune(".,;:!?)'", rune(s[end-1])) {
			end--
		}
		if m[0] > last {
			out = append(out, segment{Text: s[last:m[0]]})
		}
		out = append(out, segment{Text: s[m[0]:end], Href: s[m[0]:end]})
		last = end
	}
	if last < len(s) {
		out = append(out, segment{Text: s[last:]})
	}
	return out
}
