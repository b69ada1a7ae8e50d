// Package pdf owns the certificates that students and teachers keep in their
// portfolios: the attendance certificate for one teaching session and the
// teaching certificate that lists the sessions a teacher has taught. It draws
// A4 PDFs from plain, already-formatted values and knows nothing of the
// database; the caller looks the facts up, formats dates in the society's
// time zone and supplies the QR code of the verification link as a PNG.
//
// Names are printed in DejaVu Sans, embedded in the binary, so that accents
// and letters beyond Latin-1 (Zoë, Łukasz, Nguyễn) come out as written.
package pdf

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans (regular and bold) from Debian's fonts-dejavu-core; the licence
// is fonts/LICENSE-DejaVu.txt. fpdf embeds only the glyphs a document uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// ErrIncomplete is wrapped by the error returned for a certificate that lacks
// something it cannot be issued without (a code or a name).
var ErrIncomplete = errors.New("incomplete certificate")

const (
	family = "DejaVu"

	pageW    = 210.0 // A4 portrait, millimetres
	pageH    = 297.0
	margin   = 20.0
	contentW = pageW - 2*margin

	// The footer (verification line and QR code) sits in the bottom band;
	// nothing else is drawn below footerTop.
	qrSize    = 26.0
	footerTop = pageH - margin - qrSize - 4

	ptToMM = 25.4 / 72
)

// Colours of the house layout: dark ink, a muted grey for labels and an
// accent for rules and the society's name.
var (
	ink    = rgb{33, 37, 41}
	muted  = rgb{108, 117, 125}
	accent = rgb{23, 78, 120}
	rule   = rgb{206, 212, 218}
	band   = rgb{238, 243, 248}
)

type rgb struct{ r, g, b int }

func (c rgb) text(f *fpdf.Fpdf) { f.SetTextColor(c.r, c.g, c.b) }
func (c rgb) draw(f *fpdf.Fpdf) { f.SetDrawColor(c.r, c.g, c.b) }
func (c rgb) fill(f *fpdf.Fpdf) { f.SetFillColor(c.r, c.g, c.b) }

// footer is what every page of a certificate ends with.
type footer struct {
	code, verifyURL, issuedAt, society string
	qr                                 string // registered image name, or ""
	pageNumbers                        bool
}

// docInfo is the PDF metadata of a certificate.
type docInfo struct {
	title, subject, society string
	created                 time.Time
}

// newDoc starts an A4 document with the embedded fonts and the metadata set;
// the same input always gives the same bytes.
func newDoc(info docInfo) *fpdf.Fpdf {
	f := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		SizeStr:        "A4",
	})
	f.SetMargins(margin, margin, margin)
	f.SetCellMargin(1)
	f.AddUTF8FontFromBytes(family, "", fontRegular)
	f.AddUTF8FontFromBytes(family, "B", fontBold)
	f.SetTitle(info.title, true)
	f.SetSubject(info.subject, true)
	f.SetAuthor(info.society, true)
	f.SetCreator("Rounds", true)
	f.SetLang("en-GB")
	f.SetCatalogSort(true)
	f.SetCreationDate(info.created)
	f.SetModificationDate(info.created)
	return f
}

// creationDate is the fixed date stamped in the PDF: the given time, else
// IssuedAt when it is in a layout we recognise, else a constant, so that
// output never depends on the clock.
func creationDate(t time.Time, issuedAt string) time.Time {
	if !t.IsZero() {
		return t
	}
	s := strings.TrimSpace(issuedAt)
	for _, layout := range []string{
		time.RFC3339, "2006-01-02 15:04", "2006-01-02",
		"2 January 2006, 15:04", "Monday 2 January 2006, 15:04",
		"2 January 2006", "Monday 2 January 2006", "2 Jan 2006",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
}

// registerQR checks the caller's PNG and registers it for drawing. The image
// is decoded and written again as a plain 8-bit PNG, because fpdf cannot
// read 16-bit or interlaced ones; a QR code is small, so this costs little.
// certificatePage starts a one-page certificate: whatever the input, long
// values are cut with an ellipsis rather than pushed onto a second page. It
// registers the QR code, draws the frame and the society's name, and gives
// the QR image's name and where the page's text goes on.
func certificatePage(f *fpdf.Fpdf, qrPNG []byte, society string) (string, float64, error) {
	f.SetAutoPageBreak(false, 0)
	qr, err := registerQR(f, qrPNG)
	if err != nil {
		return "", 0, err
	}
	f.AddPage()
	drawFrame(f)
	y := 34.0
	if society != "" {
		f.SetFont(family, "B", 13)
		accent.text(f)
		y = centred(f, fitLines(f, society, contentW, 2), y, lineHeight(13))
	}
	return qr, y, nil
}

func registerQR(f *fpdf.Fpdf, qrPNG []byte) (string, error) {
	if len(qrPNG) == 0 {
		return "", nil
	}
	src, err := png.Decode(bytes.NewReader(qrPNG))
	if err != nil {
		return "", fmt.Errorf("pdf: qr code: %w", err)
	}
	b := src.Bounds()
	if b.Empty() {
		return "", errors.New("pdf: qr code: empty image")
	}
	// Flatten onto white: a transparent background would print as black in
	// some viewers and fail to scan.
	flat := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), src, b.Min, draw.Over)
	var out image.Image = flat
	if isGrey(flat) {
		g := image.NewGray(flat.Bounds())
		draw.Draw(g, g.Bounds(), flat, image.Point{}, draw.Src)
		out = g
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return "", fmt.Errorf("pdf: qr code: %w", err)
	}
	const name = "qr"
	f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
	if err := f.Error(); err != nil {
		return "", fmt.Errorf("pdf: qr code: %w", err)
	}
	return name, nil
}

func isGrey(img *image.RGBA) bool {
	p := img.Pix
	for i := 0; i+2 < len(p); i += 4 {
		if p[i] != p[i+1] || p[i] != p[i+2] {
			return false
		}
	}
	return true
}

// drawFrame draws the double rule around the page.
func drawFrame(f *fpdf.Fpdf) {
	accent.draw(f)
	f.SetLineWidth(0.8)
	f.Rect(8, 8, pageW-16, pageH-16, "D")
	f.SetLineWidth(0.2)
	f.Rect(10, 10, pageW-20, pageH-20, "D")
}

// drawFooter writes the verification line and the QR code at the bottom of
// the current page.
func drawFooter(f *fpdf.Fpdf, ft footer) {
	rule.draw(f)
	f.SetLineWidth(0.3)
	f.Line(margin, footerTop, pageW-margin, footerTop)

	textW := contentW
	if ft.qr != "" {
		textW -= qrSize + 6
		f.ImageOptions(ft.qr, pageW-margin-qrSize, footerTop+3, qrSize, qrSize, false,
			fpdf.ImageOptions{ImageType: "PNG"}, 0, ft.verifyURL)
	}

	y := footerTop + 4
	verify := "Verify at " + ft.verifyURL + " — code " + ft.code
	if ft.verifyURL == "" {
		verify = "Certificate code " + ft.code
	}
	fitSize(f, "B", verify, textW, 9.5, 8.5)
	ink.text(f)
	for _, line := range fitLines(f, verify, textW, 3) {
		f.SetXY(margin, y)
		f.CellFormat(textW, 4.6, line, "", 0, "L", false, 0, "")
		y += 4.6
	}

	f.SetFont(family, "", 8.5)
	muted.text(f)
	y += 1.5
	var issued []string
	if ft.issuedAt != "" {
		issued = append(issued, "Issued "+ft.issuedAt)
	}
	if ft.society != "" {
		issued = append(issued, "by "+ft.society)
	}
	if len(issued) > 0 {
		for _, line := range fitLines(f, strings.Join(issued, " ")+".", textW, 2) {
			f.SetXY(margin, y)
			f.CellFormat(textW, 4, line, "", 0, "L", false, 0, "")
			y += 4
		}
	}
	note := "Scan the code or visit the address to confirm that this certificate is genuine."
	if ft.verifyURL == "" {
		note = ""
	}
	if note != "" {
		for _, line := range fitLines(f, note, textW, 2) {
			f.SetXY(margin, y)
			f.CellFormat(textW, 4, line, "", 0, "L", false, 0, "")
			y += 4
		}
	}
	if ft.pageNumbers {
		f.SetXY(margin, pageH-margin-4)
		f.CellFormat(textW, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "L", false, 0, "")
	}
}

// output finishes the document and returns its bytes.
func output(f *fpdf.Fpdf) ([]byte, error) {
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// guard turns a panic inside fpdf into an error, so that a strange input
// costs one certificate, not the request.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("pdf: drawing failed: %v", r)
	}
}

// clean makes caller text safe to draw: control characters become spaces,
// runs of space collapse, and characters outside the Basic Multilingual Plane
// (emoji and the like, which fpdf's UTF-8 fonts cannot index) are left out,
// as are bytes that are not UTF-8: a certificate should not print "�".
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		case r > 0xFFFF || r == unicode.ReplacementChar:
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// fitLines wraps text to width in the current font and keeps at most max
// lines, ending the last with an ellipsis when text was cut.
func fitLines(f *fpdf.Fpdf, text string, width float64, max int) []string {
	if text == "" {
		return nil
	}
	lines := f.SplitText(text, width)
	if len(lines) <= max {
		return lines
	}
	lines = lines[:max]
	last := strings.TrimRight(lines[max-1], " ")
	limit := width - 2*f.GetCellMargin()
	for last != "" && f.GetStringWidth(last+"…") > limit {
		r := []rune(last)
		last = strings.TrimRight(string(r[:len(r)-1]), " ")
	}
	lines[max-1] = last + "…"
	return lines
}

// fitSize returns the largest font size, from size down to min, at which text
// fits on one line of width; at min it may still need wrapping.
func fitSize(f *fpdf.Fpdf, style, text string, width, size, min float64) float64 {
	for ; size > min; size -= 0.5 {
		f.SetFont(family, style, size)
		if f.GetStringWidth(text)+2*f.GetCellMargin() <= width {
			return size
		}
	}
	f.SetFont(family, style, min)
	return min
}

// centred writes lines centred across the content width from y and returns
// the y below them.
func centred(f *fpdf.Fpdf, lines []string, y, lineH float64) float64 {
	for _, line := range lines {
		f.SetXY(margin, y)
		f.CellFormat(contentW, lineH, line, "", 0, "C", false, 0, "")
		y += lineH
	}
	return y
}

// lineHeight is a comfortable line height for a font size in points.
func lineHeight(size float64) float64 { return size * ptToMM * 1.3 }

// hours formats a number of hours without trailing zeros: 1.5, 2, 0.75.
func hours(h float64) string {
	h = math.Round(h*100) / 100
	return strconv.FormatFloat(h, 'f', -1, 64)
}

// rating formats a mean rating on the 1–5 scale, or a dash when there is
// none to show.
func rating(avg *float64) string {
	if avg == nil {
		return "—"
	}
	// Halves round up, as a reader would expect: 4.25 is 4.3.
	return strconv.FormatFloat(math.Round(*avg*10)/10, 'f', 1, 64)
}

// count formats a whole number with thousands separators: 1,234.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// plural returns "1 session" or "3 sessions".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// duration formats minutes as "1 hour 30 minutes".
func duration(minutes int) string {
	if minutes <= 0 {
		return ""
	}
	h, m := minutes/60, minutes%60
	var parts []string
	if h > 0 {
		parts = append(parts, plural(h, "hour", "hours"))
	}
	if m > 0 {
		parts = append(parts, plural(m, "minute", "minutes"))
	}
	return strings.Join(parts, " ")
}

// joinNames lists names in prose: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	var ns []string
	for _, n := range names {
		if n = clean(n); n != "" {
			ns = append(ns, n)
		}
	}
	switch len(ns) {
	case 0:
		return ""
	case 1:
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}
