package pdf

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// TeachingCertificate is what a teaching certificate says: the sessions a
// teacher taught over a period, with hours, attendance and the feedback
// summary. Dates arrive formatted in the society's time zone.
type TeachingCertificate struct {
	Code        string // verification code, printed and encoded in the QR code
	TeacherName string // as the teacher wrote it, accents and all
	PeriodFrom  string // formatted first day of the period, e.g. "1 September 2025"
	PeriodTo    string // formatted last day of the period
	Sessions    []TaughtSession

	TotalSessions  int
	TotalHours     float64
	TotalAttendees int      // attendances summed over the sessions
	OverallAvg     *float64 // mean overall rating, 1–5; nil when withheld or none
	TeachingAvg    *float64 // mean teaching rating, 1–5; nil when withheld or none
	Responses      int      // feedback responses behind the means

	Society   string // the teaching society's name
	IssuedAt  string // formatted date of issue
	VerifyURL string // public verification page of this certificate
	QRPNG     []byte // PNG of the QR code of VerifyURL; drawn when non-nil

	// IssuedTime is stamped as the PDF's creation date. When zero, IssuedAt
	// is parsed if it is in a common layout, else a fixed date is used, so
	// the same certificate always gives the same bytes.
	IssuedTime time.Time
}

// TaughtSession is one row of a teaching certificate.
type TaughtSession struct {
	Date        string // formatted date, e.g. "Tue 3 Nov 2026"
	Title       string
	Topic       string // optional
	Format      string // optional
	Hours       float64
	Attendees   int
	OverallAvg  *float64 // nil when withheld (too few responses) or none
	TeachingAvg *float64
	Responses   int
}

// Teaching draws a teaching certificate as an A4 PDF: a summary on the first
// page, then the sessions in a table that runs onto further pages, its
// header row repeated, and a totals row at the end.
func Teaching(c TeachingCertificate) (out []byte, err error) {
	defer guard(&err)
	code, name := clean(c.Code), clean(c.TeacherName)
	switch {
	case code == "":
		return nil, fmt.Errorf("pdf: %w: no code", ErrIncomplete)
	case name == "":
		return nil, fmt.Errorf("pdf: %w: no teacher name", ErrIncomplete)
	}
	society := clean(c.Society)

	f := newDoc(docInfo{
		title:   "Certificate of teaching — " + name,
		subject: "Teaching record " + period(clean(c.PeriodFrom), clean(c.PeriodTo)),
		society: society,
		created: creationDate(c.IssuedTime, c.IssuedAt),
	})
	// Pages are turned by the table itself, so that the header row can be
	// repeated; fpdf must never break a page in the middle of a row.
	f.SetAutoPageBreak(false, 0)
	f.AliasNbPages("{nb}")
	qr, err := registerQR(f, c.QRPNG)
	if err != nil {
		return nil, err
	}
	ft := footer{
		code: code, verifyURL: clean(c.VerifyURL), issuedAt: clean(c.IssuedAt),
		society: society, qr: qr, pageNumbers: true,
	}
	newPage := func() {
		f.AddPage()
		drawFrame(f)
		drawFooter(f, ft)
	}

	newPage()
	y := teachingSummary(f, c, name, society)

	t := &table{f: f, y: y, cols: sessionColumns, bottom: footerTop - 6}
	t.onNewPage = func() {
		newPage()
		f.SetFont(family, "", 9)
		muted.text(f)
		f.SetXY(margin, margin)
		head := fitLines(f, "Certificate of Teaching — "+name+" (continued)", contentW, 1)
		f.CellFormat(contentW, 5, head[0], "", 0, "L", false, 0, "")
		t.y = margin + 9
	}
	if len(c.Sessions) == 0 {
		f.SetFont(family, "", 10.5)
		muted.text(f)
		centred(f, []string{"No sessions taught in this period."}, y+4, lineHeight(10.5))
		return output(f)
	}
	t.header()
	totals := totalsRow(c)
	_, totalsH := t.layout(totals)
	for i, s := range c.Sessions {
		// The last session goes over with the totals, never leaving them
		// alone at the top of a page.
		keep := 0.0
		if i == len(c.Sessions)-1 {
			keep = totalsH
		}
		t.row(sessionRow(s), i%2 == 1, false, keep)
	}
	t.row(totals, false, true, 0)
	t.note("Overall and Teaching are mean ratings on a scale of 1 to 5 from students' " +
		"anonymous feedback; a dash means too few responses to show.")
	return output(f)
}

// teachingSummary draws the top of the first page and returns the y at which
// the table starts.
func teachingSummary(f *fpdf.Fpdf, c TeachingCertificate, name, society string) float64 {
	y := 26.0
	if society != "" {
		f.SetFont(family, "B", 13)
		accent.text(f)
		y = centred(f, fitLines(f, society, contentW, 2), y, lineHeight(13))
	}
	y += 3
	accent.draw(f)
	f.SetLineWidth(0.6)
	f.Line(pageW/2-15, y, pageW/2+15, y)

	y += 7
	f.SetFont(family, "B", 24)
	ink.text(f)
	y = centred(f, []string{"Certificate of Teaching"}, y, lineHeight(24))

	y += 4
	f.SetFont(family, "", 11.5)
	muted.text(f)
	y = centred(f, []string{"This is to certify that"}, y, lineHeight(11.5))

	y += 2
	size := fitSize(f, "B", name, contentW, 22, 14)
	accent.text(f)
	y = centred(f, fitLines(f, name, contentW, 2), y, lineHeight(size))

	y += 2
	f.SetFont(family, "", 11.5)
	ink.text(f)
	y = centred(f, fitLines(f, teachingSentence(c, society), contentW-10, 4), y, lineHeight(11.5))

	// The figures a portfolio reviewer looks for, in a row of boxes.
	y += 6
	stats := []struct{ value, label string }{
		{count(c.TotalSessions), "sessions"},
		{hours(c.TotalHours), "hours taught"},
		{count(c.TotalAttendees), "attendances"},
		{rating(c.OverallAvg), "overall rating"},
		{rating(c.TeachingAvg), "teaching rating"},
	}
	const gap = 3.0
	boxW := (contentW - gap*float64(len(stats)-1)) / float64(len(stats))
	const boxH = 19.0
	for i, s := range stats {
		x := margin + float64(i)*(boxW+gap)
		band.fill(f)
		f.Rect(x, y, boxW, boxH, "F")
		accent.fill(f)
		f.Rect(x, y, boxW, 0.9, "F")
		f.SetFont(family, "B", 17)
		accent.text(f)
		f.SetXY(x, y+3)
		f.CellFormat(boxW, 8, s.value, "", 0, "C", false, 0, "")
		f.SetFont(family, "", 8.5)
		muted.text(f)
		f.SetXY(x, y+11.5)
		f.CellFormat(boxW, 4.5, s.label, "", 0, "C", false, 0, "")
	}
	y += boxH + 2.5
	f.SetFont(family, "", 8.5)
	muted.text(f)
	var feedback string
	switch {
	case c.Responses == 0:
		feedback = "No feedback responses in this period."
	case c.OverallAvg == nil && c.TeachingAvg == nil:
		feedback = "Ratings are withheld: " + plural(c.Responses, "feedback response", "feedback responses") +
			" is too few to show without identifying students."
	default:
		feedback = "Ratings are means on a scale of 1 to 5 from " +
			plural(c.Responses, "anonymous feedback response", "anonymous feedback responses") + "."
	}
	y = centred(f, fitLines(f, feedback, contentW, 2), y, lineHeight(8.5))

	y += 6
	f.SetFont(family, "B", 12)
	ink.text(f)
	f.SetXY(margin, y)
	f.CellFormat(contentW, lineHeight(12), "Sessions taught", "", 0, "L", false, 0, "")
	return y + lineHeight(12) + 1.5
}

// teachingSentence says what the teacher did, in one sentence.
func teachingSentence(c TeachingCertificate, society string) string {
	var b strings.Builder
	b.WriteString("taught " + plural(c.TotalSessions, "teaching session", "teaching sessions"))
	if society != "" {
		b.WriteString(" for " + society)
	}
	if p := period(clean(c.PeriodFrom), clean(c.PeriodTo)); p != "" {
		b.WriteString(" " + p)
	}
	b.WriteString(", totalling ")
	b.WriteString(hours(c.TotalHours))
	if c.TotalHours == 1 {
		b.WriteString(" hour of teaching")
	} else {
		b.WriteString(" hours of teaching")
	}
	b.WriteString(" and " + plural(c.TotalAttendees, "student attendance", "student attendances") + ".")
	return b.String()
}

// period says "between A and B", "from A" or "until B".
func period(from, to string) string {
	switch {
	case from != "" && to != "":
		return "between " + from + " and " + to
	case from != "":
		return "from " + from
	case to != "":
		return "until " + to
	}
	return ""
}

// column is one column of the sessions table.
type column struct {
	title string
	width float64
	align string
}

// The sessions table fills the content width, 170 mm; the narrow columns are
// as wide as their bold headings, so that no heading breaks inside a word.
var sessionColumns = []column{
	{"Date", 27, "L"},
	{"Session", 52.5, "L"},
	{"Format", 21, "L"},
	{"Hours", 11, "R"},
	{"Attended", 16, "R"},
	{"Replies", 13, "R"},
	{"Overall", 13, "R"},
	{"Teaching", 16.5, "R"},
}

// cell is one cell of a table row: lines of text, each in a style.
type cell struct {
	lines []styled
}

type styled struct {
	text  string
	style string  // "" or "B"
	size  float64 // points
	color rgb
}

const (
	tableSize = 8
	headSize  = 7.5
	noteSize  = 7
	cellPadY  = 1.6
)

func sessionRow(s TaughtSession) []cell {
	plain := func(text string) cell {
		return cell{[]styled{{clean(text), "", tableSize, ink}}}
	}
	session := cell{[]styled{{clean(s.Title), "B", tableSize, ink}}}
	if topic := clean(s.Topic); topic != "" {
		session.lines = append(session.lines, styled{topic, "", noteSize, muted})
	}
	return []cell{
		plain(s.Date),
		session,
		plain(s.Format),
		plain(hours(s.Hours)),
		plain(count(s.Attendees)),
		plain(count(s.Responses)),
		plain(rating(s.OverallAvg)),
		plain(rating(s.TeachingAvg)),
	}
}

func totalsRow(c TeachingCertificate) []cell {
	bold := func(text string) cell {
		return cell{[]styled{{text, "B", tableSize, ink}}}
	}
	return []cell{
		bold("Total"),
		bold(plural(c.TotalSessions, "session", "sessions")),
		bold(""),
		bold(hours(c.TotalHours)),
		bold(count(c.TotalAttendees)),
		bold(count(c.Responses)),
		bold(rating(c.OverallAvg)),
		bold(rating(c.TeachingAvg)),
	}
}

// table draws rows down the page and turns the page, repeating the header
// row, when the next row would not fit above bottom.
type table struct {
	f         *fpdf.Fpdf
	y, bottom float64
	cols      []column
	onNewPage func()
}

func (t *table) header() {
	hdr := make([]cell, len(t.cols))
	for i, c := range t.cols {
		hdr[i] = cell{[]styled{{c.title, "B", headSize, rgb{255, 255, 255}}}}
	}
	lines, h := t.layout(hdr)
	accent.fill(t.f)
	t.f.Rect(margin, t.y, contentW, h, "F")
	t.draw(lines, h)
}

// row draws one row, starting a new page first if it would not fit with
// keep millimetres to spare for what must follow it on the same page.
func (t *table) row(cells []cell, striped, total bool, keep float64) {
	lines, h := t.layout(cells)
	if t.y+h+keep > t.bottom {
		t.onNewPage()
		t.header()
	}
	f := t.f
	switch {
	case total:
		band.fill(f)
		f.Rect(margin, t.y, contentW, h, "F")
		accent.draw(f)
		f.SetLineWidth(0.5)
		f.Line(margin, t.y, margin+contentW, t.y)
	case striped:
		f.SetFillColor(248, 249, 250)
		f.Rect(margin, t.y, contentW, h, "F")
	}
	t.draw(lines, h)
	rule.draw(f)
	f.SetLineWidth(0.15)
	f.Line(margin, t.y, margin+contentW, t.y)
}

// note writes a small line under the table.
func (t *table) note(text string) {
	f := t.f
	f.SetFont(family, "", noteSize)
	lh := lineHeight(noteSize)
	lines := fitLines(f, text, contentW, 3)
	if t.y+2+float64(len(lines))*lh > t.bottom {
		t.onNewPage()
	}
	muted.text(f)
	y := t.y + 2
	for _, l := range lines {
		f.SetXY(margin, y)
		f.CellFormat(contentW, lh, l, "", 0, "L", false, 0, "")
		y += lh
	}
	t.y = y
}

// laidLine is one wrapped line of a cell, ready to draw.
type laidLine struct {
	styled
	col int
	dy  float64
}

// layout wraps every cell to its column and returns the lines and the height
// of the row.
func (t *table) layout(cells []cell) ([]laidLine, float64) {
	var out []laidLine
	height := 0.0
	for i, c := range cells {
		w := t.cols[i].width
		dy := 0.0
		for _, s := range c.lines {
			if s.text == "" {
				continue
			}
			t.f.SetFont(family, s.style, s.size)
			lh := lineHeight(s.size)
			for _, l := range fitLines(t.f, s.text, w, 4) {
				ls := s
				ls.text = l
				out = append(out, laidLine{ls, i, dy})
				dy += lh
			}
		}
		height = max(height, dy)
	}
	if height == 0 {
		height = lineHeight(tableSize)
	}
	return out, height + 2*cellPadY
}

func (t *table) draw(lines []laidLine, h float64) {
	f := t.f
	xs := make([]float64, len(t.cols))
	x := margin
	for i, c := range t.cols {
		xs[i] = x
		x += c.width
	}
	for _, l := range lines {
		f.SetFont(family, l.style, l.size)
		l.color.text(f)
		f.SetXY(xs[l.col], t.y+cellPadY+l.dy)
		f.CellFormat(t.cols[l.col].width, lineHeight(l.size), l.text, "", 0, t.cols[l.col].align, false, 0, "")
	}
	t.y += h
}
