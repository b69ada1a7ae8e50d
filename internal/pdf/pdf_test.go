package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Names a certificate must print as written.
var unicodeNames = []string{
	"Zoë Ó Briain",
	"Łukasz Żółć",
	"Nguyễn Thị Minh",
	"Müller-Lüdenscheidt",
}

func ptr(f float64) *float64 { return &f }

// testQR is a stand-in for the caller's QR code: a 21×21 module pattern with
// a quiet zone, 8 pixels a module, as a grey PNG.
func testQR(t testing.TB) []byte {
	t.Helper()
	const modules, quiet, scale = 21, 4, 8
	side := (modules + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			mx, my := x/scale-quiet, y/scale-quiet
			dark := mx >= 0 && my >= 0 && mx < modules && my < modules && (mx*my+mx+my)%3 == 0
			if dark {
				img.SetGray(x, y, color.Gray{})
			} else {
				img.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func attendanceFor(t testing.TB, name string) AttendanceCertificate {
	return AttendanceCertificate{
		Code:            "ATT-7K2Q-9XMB",
		StudentName:     name,
		SessionTitle:    "Acute Kidney Injury: Recognition and Management on the Wards",
		Topic:           "Nephrology",
		Format:          "Lecture",
		Date:            "Tuesday 3 November 2026, 18:00–19:30 GMT",
		DurationMinutes: 90,
		Teachers:        []string{"Dr Siobhán Ní Bhriain", "Dr Anil Kumar"},
		Society:         "St Elsewhere Medical Society",
		IssuedAt:        "5 November 2026",
		VerifyURL:       "https://rounds.example.org/certificates/ATT-7K2Q-9XMB",
		QRPNG:           testQR(t),
	}
}

func teachingFor(t testing.TB, name string, n int) TeachingCertificate {
	c := TeachingCertificate{
		Code:        "TCH-4M8P-2RVA",
		TeacherName: name,
		PeriodFrom:  "1 September 2025",
		PeriodTo:    "30 June 2026",
		Society:     "St Elsewhere Medical Society",
		IssuedAt:    "1 July 2026",
		IssuedTime:  time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC),
		VerifyURL:   "https://rounds.example.org/certificates/TCH-4M8P-2RVA",
		QRPNG:       testQR(t),
	}
	formats := []string{"Lecture", "Small-group tutorial", "OSCE practice", "Case-based discussion"}
	var sumOverall, sumTeaching float64
	for i := 0; i < n; i++ {
		s := TaughtSession{
			Date:      time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 5*i).Format("Mon 2 Jan 2006"),
			Title:     fmt.Sprintf("Session %02d: Cardiology revision — murmurs and heart sounds", i+1),
			Format:    formats[i%len(formats)],
			Hours:     1.5,
			Attendees: 10 + i%17,
			Responses: i % 9,
		}
		if i%3 == 0 {
			s.Topic = "Cardiology"
		}
		if s.Responses >= 3 {
			s.OverallAvg = ptr(4 + float64(i%10)/10)
			s.TeachingAvg = ptr(4.2 + float64(i%8)/10)
			sumOverall += *s.OverallAvg * float64(s.Responses)
			sumTeaching += *s.TeachingAvg * float64(s.Responses)
		}
		c.Sessions = append(c.Sessions, s)
		c.TotalSessions++
		c.TotalHours += s.Hours
		c.TotalAttendees += s.Attendees
		c.Responses += s.Responses
	}
	if c.Responses >= 3 {
		c.OverallAvg = ptr(sumOverall / float64(c.Responses))
		c.TeachingAvg = ptr(sumTeaching / float64(c.Responses))
	}
	return c
}

// checkPDF checks the file's frame and returns its page count as the page
// tree declares it, after checking that the tree has that many pages.
func checkPDF(t *testing.T, doc []byte) int {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("does not start with %%PDF-: %q", doc[:min(16, len(doc))])
	}
	if !bytes.HasSuffix(bytes.TrimRight(doc, "\r\n "), []byte("%%EOF")) {
		t.Fatalf("does not end with %%%%EOF: %q", doc[max(0, len(doc)-16):])
	}
	m := regexp.MustCompile(`/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("no page tree with a /Count")
	}
	declared, _ := strconv.Atoi(string(m[1]))
	leaves := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(doc, -1))
	if leaves != declared {
		t.Fatalf("page tree says %d pages, file has %d page objects", declared, leaves)
	}
	for _, key := range []string{"/Title", "/Author", "/Creator", "/CreationDate"} {
		if !bytes.Contains(doc, []byte(key+" ")) {
			t.Errorf("metadata has no %s", key)
		}
	}
	return declared
}

// pdfText returns the text of the given page (0 for all), read back by
// poppler's pdftotext, with runs of white space as single spaces. Without pdftotext the calling test is skipped, unless
// ROUNDS_REQUIRE_BROWSER=1 (CI), where it fails.
func pdfText(t *testing.T, doc []byte, page int) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("ROUNDS_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftotext not found (apt-get install poppler-utils), and ROUNDS_REQUIRE_BROWSER=1")
		}
		t.Skip("pdftotext not found: install poppler-utils to read the text back")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-enc", "UTF-8"}
	if page > 0 {
		args = append(args, "-f", strconv.Itoa(page), "-l", strconv.Itoa(page))
	}
	out, err := exec.Command(bin, append(args, path, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	// Lines wrap where the layout wraps them; compare words, not lines.
	return strings.Join(strings.Fields(string(out)), " ")
}

// keep writes the PDF to $ROUNDS_PDF_ARTIFACTS, when set, to look at.
func keep(t *testing.T, name string, doc []byte) {
	dir := os.Getenv("ROUNDS_PDF_ARTIFACTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), doc, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAttendance(t *testing.T) {
	for i, name := range unicodeNames {
		t.Run(name, func(t *testing.T) {
			c := attendanceFor(t, name)
			doc, err := Attendance(c)
			if err != nil {
				t.Fatal(err)
			}
			keep(t, fmt.Sprintf("attendance-%d.pdf", i), doc)
			if n := checkPDF(t, doc); n != 1 {
				t.Errorf("pages = %d, want 1", n)
			}
			again, err := Attendance(c)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(doc, again) {
				t.Error("the same certificate gave different bytes")
			}
			t.Run("text", func(t *testing.T) {
				text := pdfText(t, doc, 0)
				for _, want := range []string{
					name, c.Code, "Acute Kidney Injury", "Certificate of Attendance",
					"Dr Siobhán Ní Bhriain and Dr Anil Kumar", "1 hour 30 minutes",
					"18:00–19:30 GMT", "Verify at " + c.VerifyURL + " — code " + c.Code,
				} {
					if !strings.Contains(text, want) {
						t.Errorf("text has no %q:\n%s", want, text)
					}
				}
			})
		})
	}
}

func TestTeaching(t *testing.T) {
	name := unicodeNames[2]
	c := teachingFor(t, name, 60)
	doc, err := Teaching(c)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "teaching-60.pdf", doc)
	pages := checkPDF(t, doc)
	// 60 one- and two-line rows: a few on the first page under the summary,
	// then about twenty a page.
	if pages < 3 || pages > 5 {
		t.Fatalf("pages = %d, want 3 to 5 for 60 sessions", pages)
	}
	again, err := Teaching(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, again) {
		t.Error("the same certificate gave different bytes")
	}

	t.Run("text", func(t *testing.T) {
		all := pdfText(t, doc, 0)
		for _, want := range []string{
			name, c.Code, "Certificate of Teaching", "90 hours of teaching",
			"Session 01: Cardiology revision", "Session 60: Cardiology revision",
			"Verify at " + c.VerifyURL + " — code " + c.Code,
		} {
			if !strings.Contains(all, want) {
				t.Errorf("text has no %q", want)
			}
		}
		for p := 1; p <= pages; p++ {
			text := pdfText(t, doc, p)
			for _, want := range []string{"Date", "Session", "Attended", "Teaching", fmt.Sprintf("Page %d of %d", p, pages), c.Code} {
				if !strings.Contains(text, want) {
					t.Errorf("page %d has no %q:\n%s", p, want, text)
				}
			}
			if p > 1 && !strings.Contains(text, name+" (continued)") {
				t.Errorf("page %d does not say whose certificate it continues", p)
			}
			if hasTotal := strings.Contains(text, "Total"); hasTotal != (p == pages) {
				t.Errorf("page %d: totals row shown = %v", p, hasTotal)
			}
		}
		// Every session appears exactly once.
		for i := 1; i <= 60; i++ {
			if n := strings.Count(all, fmt.Sprintf("Session %02d:", i)); n != 1 {
				t.Errorf("session %d appears %d times", i, n)
			}
		}
	})
}

func TestTeachingShort(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := teachingFor(t, unicodeNames[1], n)
			c.QRPNG = nil
			c.IssuedTime = time.Time{}
			doc, err := Teaching(c)
			if err != nil {
				t.Fatal(err)
			}
			keep(t, fmt.Sprintf("teaching-%d.pdf", n), doc)
			if pages := checkPDF(t, doc); pages != 1 {
				t.Errorf("pages = %d, want 1", pages)
			}
			t.Run("text", func(t *testing.T) {
				text := pdfText(t, doc, 0)
				for _, want := range []string{unicodeNames[1], c.Code} {
					if !strings.Contains(text, want) {
						t.Errorf("text has no %q:\n%s", want, text)
					}
				}
			})
		})
	}
}

// Strange input costs a tidy certificate, never a panic or a second page.
func TestAttendanceAwkwardInput(t *testing.T) {
	c := attendanceFor(t, "Ana\tMaría 🩺 de la\nCruz\x00")
	c.SessionTitle = strings.Repeat("A very long session title that goes on and on ", 12)
	c.Teachers = nil
	for i := 0; i < 30; i++ {
		c.Teachers = append(c.Teachers, fmt.Sprintf("Dr Teacher Number %d", i))
	}
	c.QRPNG = nil
	c.VerifyURL = ""
	doc, err := Attendance(c)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "attendance-awkward.pdf", doc)
	if n := checkPDF(t, doc); n != 1 {
		t.Errorf("pages = %d, want 1", n)
	}
	t.Run("text", func(t *testing.T) {
		text := pdfText(t, doc, 0)
		if !strings.Contains(text, "Ana María de la Cruz") {
			t.Errorf("name not printed:\n%s", text)
		}
		if !strings.Contains(text, "…") {
			t.Errorf("long values not cut with an ellipsis:\n%s", text)
		}
	})
}

func TestIncomplete(t *testing.T) {
	tests := []struct {
		name string
		make func() error
	}{
		{"attendance without code", func() error {
			c := attendanceFor(t, "Zoë")
			c.Code = " "
			_, err := Attendance(c)
			return err
		}},
		{"attendance without name", func() error {
			c := attendanceFor(t, "")
			_, err := Attendance(c)
			return err
		}},
		{"teaching without name", func() error {
			c := teachingFor(t, "\n", 1)
			_, err := Teaching(c)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.make()
			if !errors.Is(err, ErrIncomplete) {
				t.Fatalf("err = %v, want ErrIncomplete", err)
			}
			if !strings.HasPrefix(err.Error(), "pdf: ") {
				t.Errorf("err = %q, want the pdf: prefix", err)
			}
		})
	}
}

func TestBadQR(t *testing.T) {
	c := attendanceFor(t, "Zoë Ó Briain")
	c.QRPNG = []byte("not a png")
	if _, err := Attendance(c); err == nil || !strings.HasPrefix(err.Error(), "pdf: qr code: ") {
		t.Fatalf("err = %v, want a pdf: qr code: error", err)
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct{ got, want string }{
		{duration(90), "1 hour 30 minutes"},
		{duration(60), "1 hour"},
		{duration(45), "45 minutes"},
		{duration(121), "2 hours 1 minute"},
		{duration(0), ""},
		{hours(1.5), "1.5"},
		{hours(2), "2"},
		{hours(0.333333), "0.33"},
		{count(1234567), "1,234,567"},
		{count(999), "999"},
		{rating(nil), "—"},
		{rating(ptr(4.25)), "4.3"},
		{joinNames([]string{"A"}), "A"},
		{joinNames([]string{"A", " ", "B"}), "A and B"},
		{joinNames([]string{"A", "B", "C"}), "A, B and C"},
		{clean("  a\tb\n\nc 🩺 d\xff "), "a b c d"},
		{period("x", ""), "from x"},
		{creationDate(time.Time{}, "5 November 2026").Format("2006-01-02"), "2026-11-05"},
		{creationDate(time.Time{}, "soon").Format("2006-01-02"), "2000-01-01"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func BenchmarkAttendance(b *testing.B) {
	c := attendanceFor(b, unicodeNames[0])
	for b.Loop() {
		if _, err := Attendance(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTeaching60(b *testing.B) {
	c := teachingFor(b, unicodeNames[2], 60)
	for b.Loop() {
		if _, err := Teaching(c); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMentoringCertificate(t *testing.T) {
	out, err := Mentoring(MentoringCertificate{Code: "RND-7KQ2-M9XA", MentorName: "Dr Gita Patel", SchemeTitle: "GP careers mentoring",
		PeriodFrom: "20 October 2026", PeriodTo: "20 January 2027", Months: 3, Mentees: 2, MeetingsHeld: 5,
		Society: "Rounds", IssuedAt: "20 January 2027", VerifyURL: "https://rounds.example.org/certificates/RND-7KQ2-M9XA"})
	if err != nil || !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("mentoring certificate: %v %.20q", err, out)
	}
	if _, err := Mentoring(MentoringCertificate{Code: "RND-7KQ2-M9XA"}); !errors.Is(err, ErrIncomplete) {
		t.Errorf("without a name: %v", err)
	}
}
