package pdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// longWord is 71 letters with no space to break at, as a member may be
// named.
const longWord = "Aoife-Siobhán-Ní-Mhaoldomhnaigh-Uí-Shúilleabháin-Fitzgerald-Ó-Donnchadha"

var bboxWord = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>`)
var bboxPage = regexp.MustCompile(`<page width="([0-9.]+)"`)

// wordsOutside lists the words printed beyond a page's left or right edge,
// as poppler's pdftotext reads their boxes.
func wordsOutside(t *testing.T, doc []byte) (words int, outside []string) {
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
	out, err := exec.Command(bin, "-bbox", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	m := bboxPage.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no page in %s", out[:min(len(out), 300)])
	}
	width, _ := strconv.ParseFloat(string(m[1]), 64)
	for _, w := range bboxWord.FindAllSubmatch(out, -1) {
		words++
		x0, _ := strconv.ParseFloat(string(w[1]), 64)
		x1, _ := strconv.ParseFloat(string(w[2]), 64)
		if x0 < 0 || x1 > width {
			outside = append(outside, string(w[3])+" ("+string(w[1])+"–"+string(w[2])+" of "+string(m[1])+")")
		}
	}
	return words, outside
}

// A name, title, venue or address with no space to break at stays within
// the page: it wraps, or is cut with an ellipsis.
func TestLongWordsStayOnThePage(t *testing.T) {
	long := strings.Repeat(longWord, 2)
	a := attendanceFor(t, longWord)
	a.SessionTitle, a.Topic, a.Society = long, long, long
	a.Teachers = []string{longWord, longWord}
	a.VerifyURL = "https://rounds.example.org/certificates/" + long
	att, err := Attendance(a)
	if err != nil {
		t.Fatal(err)
	}
	name := longWord + strings.Repeat("x", 100-len([]rune(longWord))) // the longest name a member may have
	c := teachingFor(t, name, 40)                                     // two pages: the second repeats the name
	c.Society = long
	for i := range c.Sessions {
		c.Sessions[i].Title = long
		c.Sessions[i].Topic = longWord
	}
	tch, err := Teaching(c)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"attendance": att, "teaching": tch} {
		keep(t, "long-"+name+".pdf", doc)
		n, outside := wordsOutside(t, doc)
		if n == 0 {
			t.Errorf("%s: no words read", name)
		}
		if len(outside) > 0 {
			t.Errorf("%s: %d words beyond the page's edge: %s", name, len(outside), strings.Join(outside[:min(3, len(outside))], "; "))
		}
	}
}
