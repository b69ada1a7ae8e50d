package pdf

import (
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// AttendanceCertificate is what an attendance certificate says: that a
// student attended one teaching session. Dates and times arrive formatted in
// the society's time zone.
type AttendanceCertificate struct {
	Code            string   // verification code, printed and encoded in the QR code
	StudentName     string   // as the student wrote it, accents and all
	SessionTitle    string   // the session's title
	Topic           string   // the session's topic or specialty; optional
	Format          string   // e.g. "Lecture", "Small-group tutorial"; optional
	Date            string   // e.g. "Tuesday 3 November 2026, 18:00–19:30 GMT"
	DurationMinutes int      // length of the session; 0 leaves it out
	Teachers        []string // who taught it
	Society         string   // the teaching society's name
	IssuedAt        string   // formatted date of issue, e.g. "5 November 2026"
	VerifyURL       string   // public verification page of this certificate
	QRPNG           []byte   // PNG of the QR code of VerifyURL; drawn when non-nil

	// IssuedTime is stamped as the PDF's creation date. When zero, IssuedAt
	// is parsed if it is in a common layout, else a fixed date is used, so
	// the same certificate always gives the same bytes.
	IssuedTime time.Time
}

// Attendance draws an attendance certificate as a one-page A4 PDF.
func Attendance(c AttendanceCertificate) (out []byte, err error) {
	defer guard(&err)
	code, name := clean(c.Code), clean(c.StudentName)
	switch {
	case code == "":
		return nil, fmt.Errorf("pdf: %w: no code", ErrIncomplete)
	case name == "":
		return nil, fmt.Errorf("pdf: %w: no student name", ErrIncomplete)
	}
	title := clean(c.SessionTitle)
	society := clean(c.Society)

	f := newDoc(docInfo{
		title:   "Certificate of attendance — " + name,
		subject: title,
		society: society,
		created: creationDate(c.IssuedTime, c.IssuedAt),
	})
	qr, y, err := certificatePage(f, c.QRPNG, society)
	if err != nil {
		return nil, err
	}
	y += 3
	accent.draw(f)
	f.SetLineWidth(0.6)
	f.Line(pageW/2-15, y, pageW/2+15, y)

	y += 13
	f.SetFont(family, "B", 26)
	ink.text(f)
	y = centred(f, []string{"Certificate of Attendance"}, y, lineHeight(26))

	y += 12
	f.SetFont(family, "", 12)
	muted.text(f)
	y = centred(f, []string{"This is to certify that"}, y, lineHeight(12))

	y += 6
	size := fitSize(f, "B", name, contentW, 24, 15)
	accent.text(f)
	y = centred(f, fitLines(f, name, contentW, 2), y, lineHeight(size))
	y += 1
	rule.draw(f)
	f.SetLineWidth(0.3)
	f.Line(pageW/2-45, y, pageW/2+45, y)

	y += 7
	f.SetFont(family, "", 12)
	muted.text(f)
	y = centred(f, []string{"attended the teaching session"}, y, lineHeight(12))

	if title != "" {
		y += 3
		size = fitSize(f, "B", title, contentW, 17, 13)
		ink.text(f)
		y = centred(f, fitLines(f, title, contentW, 3), y, lineHeight(size))
	}

	y += 18
	facts := []fact{
		{"Topic", clean(c.Topic), 2},
		{"Format", clean(c.Format), 1},
		{"Date and time", clean(c.Date), 2},
		{"Duration", duration(c.DurationMinutes), 1},
		{teachersLabel(c.Teachers), joinNames(c.Teachers), 4},
		{"Organised by", society, 2},
		{"Issued", clean(c.IssuedAt), 1},
		{"Certificate code", code, 1},
	}
	drawFacts(f, facts, y, footerTop-8)

	drawFooter(f, footer{
		code: code, verifyURL: clean(c.VerifyURL), issuedAt: clean(c.IssuedAt),
		society: society, qr: qr,
	})
	return output(f)
}

func teachersLabel(teachers []string) string {
	if len(teachers) == 1 {
		return "Teacher"
	}
	return "Teachers"
}

// fact is one labelled line of a certificate's details.
type fact struct {
	label, value string
	maxLines     int
}

// drawFacts writes label–value rows on a light band from y, leaving out
// empty values and stopping before bottom.
func drawFacts(f *fpdf.Fpdf, facts []fact, y, bottom float64) float64 {
	const (
		size   = 10.5
		labelW = 42.0
		pad    = 5.0
	)
	x := margin + 8
	w := contentW - 16
	valueW := w - labelW - 2*pad
	lh := lineHeight(size)

	type row struct {
		label string
		lines []string
	}
	var rows []row
	height := 2 * pad
	f.SetFont(family, "B", size) // values are bold: wrap them as such
	for _, ft := range facts {
		if ft.value == "" {
			continue
		}
		lines := fitLines(f, ft.value, valueW, ft.maxLines)
		h := float64(len(lines))*lh + 1.5
		if y+height+h > bottom {
			break
		}
		rows = append(rows, row{ft.label, lines})
		height += h
	}
	if len(rows) == 0 {
		return y
	}
	band.fill(f)
	f.Rect(x, y, w, height-1.5, "F")
	accent.fill(f)
	f.Rect(x, y, 1.2, height-1.5, "F")

	cy := y + pad
	for _, r := range rows {
		f.SetFont(family, "", size)
		muted.text(f)
		f.SetXY(x+pad, cy)
		f.CellFormat(labelW, lh, r.label, "", 0, "L", false, 0, "")
		f.SetFont(family, "B", size)
		ink.text(f)
		for i, line := range r.lines {
			f.SetXY(x+pad+labelW, cy+float64(i)*lh)
			f.CellFormat(valueW, lh, line, "", 0, "L", false, 0, "")
		}
		cy += float64(len(r.lines))*lh + 1.5
	}
	return y + height
}
