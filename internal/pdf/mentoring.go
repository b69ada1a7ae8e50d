package pdf

import (
	"fmt"
	"strconv"
	"time"
)

// MentoringCertificate is what a mentor's certificate says: that a member
// mentored in a scheme, for how long, how many mentees and how many
// meetings. Dates arrive formatted in the society's time zone.
type MentoringCertificate struct {
	Code         string // verification code, printed and encoded in the QR code
	MentorName   string
	SchemeTitle  string
	PeriodFrom   string // e.g. "20 October 2026"
	PeriodTo     string
	Months       int
	Mentees      int
	MeetingsHeld int
	Society      string
	IssuedAt     string
	VerifyURL    string
	QRPNG        []byte
	IssuedTime   time.Time // the PDF's creation date (see AttendanceCertificate)
}

// Mentoring draws a mentor's certificate as a one-page A4 PDF.
func Mentoring(c MentoringCertificate) (out []byte, err error) {
	defer guard(&err)
	code, name := clean(c.Code), clean(c.MentorName)
	switch {
	case code == "":
		return nil, fmt.Errorf("pdf: %w: no code", ErrIncomplete)
	case name == "":
		return nil, fmt.Errorf("pdf: %w: no mentor name", ErrIncomplete)
	}
	scheme, society := clean(c.SchemeTitle), clean(c.Society)
	f := newDoc(docInfo{title: "Certificate of mentoring — " + name, subject: scheme, society: society,
		created: creationDate(c.IssuedTime, c.IssuedAt)})
	qr, y, err := certificatePage(f, c.QRPNG, society)
	if err != nil {
		return nil, err
	}
	y += 16
	f.SetFont(family, "B", 26)
	ink.text(f)
	y = centred(f, []string{"Certificate of Mentoring"}, y, lineHeight(26))
	y += 12
	f.SetFont(family, "", 12)
	muted.text(f)
	y = centred(f, []string{"This is to certify that"}, y, lineHeight(12))
	y += 6
	size := fitSize(f, "B", name, contentW, 24, 15)
	accent.text(f)
	y = centred(f, fitLines(f, name, contentW, 2), y, lineHeight(size))
	y += 7
	f.SetFont(family, "", 12)
	muted.text(f)
	y = centred(f, []string{"mentored " + plural(c.Mentees, "student", "students") + " in the near-peer mentoring scheme"}, y, lineHeight(12))
	if scheme != "" {
		y += 3
		size = fitSize(f, "B", scheme, contentW, 17, 13)
		ink.text(f)
		y = centred(f, fitLines(f, scheme, contentW, 3), y, lineHeight(size))
	}
	y += 18
	drawFacts(f, []fact{
		{"Period", clean(c.PeriodFrom) + " to " + clean(c.PeriodTo), 1},
		{"Months", strconv.Itoa(c.Months), 1},
		{"Mentees", strconv.Itoa(c.Mentees), 1},
		{"Meetings held", strconv.Itoa(c.MeetingsHeld), 1},
		{"Organised by", society, 2},
		{"Issued", clean(c.IssuedAt), 1},
		{"Certificate code", code, 1},
	}, y, footerTop-8)
	drawFooter(f, footer{code: code, verifyURL: clean(c.VerifyURL), issuedAt: clean(c.IssuedAt), society: society, qr: qr})
	return output(f)
}
