package qr

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

var texts = []string{
	"https://rounds.test/checkin/42?code=A7K2QX",
	"http://localhost:8080/sessions/1/checkin?code=000000&mode=in_person",
	"HTTPS://ROUNDS.TEST/C/42",
	"12345678901234567890",
	"https://rounds.test/certificates/" + strings.Repeat("k", 300),
	"Café 🩺 <&> \"quoted\"",
	"x",
}

// decode reads a QR code from img with an independent decoder.
func decode(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("bitmap: %v", err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

func TestPNGRoundTrip(t *testing.T) {
	for _, text := range texts {
		for _, size := range []int{256, 601} {
			t.Run(fmt.Sprintf("%d/%.20s", size, text), func(t *testing.T) {
				data, err := PNG(text, size)
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("png: %v", err)
				}
				if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
					t.Fatalf("image is %v, want %dx%d", b, size, size)
				}
				if got := decode(t, img); got != text {
					t.Errorf("decoded %q, want %q", got, text)
				}
			})
		}
	}
}

func TestPNGTooSmall(t *testing.T) {
	if _, err := PNG("https://rounds.test/checkin/42", 20); err == nil || !strings.HasPrefix(err.Error(), "qr: ") {
		t.Errorf("PNG with a tiny size: err = %v, want a qr: error", err)
	}
}

type svgDoc struct {
	XMLName        xml.Name `xml:"svg"`
	ViewBox        string   `xml:"viewBox,attr"`
	Width          string   `xml:"width,attr"`
	Height         string   `xml:"height,attr"`
	ShapeRendering string   `xml:"shape-rendering,attr"`
	Role           string   `xml:"role,attr"`
	Title          string   `xml:"title"`
	Rects          []struct {
		Fill string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		Fill string `xml:"fill,attr"`
		D    string `xml:"d,attr"`
	} `xml:"path"`
}

// wellFormed fails unless data is one well-formed XML document.
func wellFormed(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, data)
		}
	}
}

// rasterise draws the SVG path (the subset SVG writes) at scale pixels per
// module on white, so the drawing itself can be scanned.
func rasterise(t *testing.T, d string, n, scale int) *image.Gray {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, cmd := range strings.Split(d, "z") {
		if cmd == "" {
			continue
		}
		var x, y, w, x2 int
		if _, err := fmt.Sscanf(cmd, "M%d %dh%dv1H%d", &x, &y, &w, &x2); err != nil || x2 != x || w <= 0 {
			t.Fatalf("unexpected path command %q: %v", cmd, err)
		}
		if x < QuietZone || y < QuietZone || x+w > n-QuietZone || y+1 > n-QuietZone {
			t.Fatalf("dark run %q inside the quiet zone of a %d-module square", cmd, n)
		}
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img
}

func TestSVGRoundTrip(t *testing.T) {
	for _, text := range texts {
		t.Run(fmt.Sprintf("%.20s", text), func(t *testing.T) {
			data, err := SVG(text, Options{Size: 240})
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, data)
			var doc svgDoc
			if err := xml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			var n int
			if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &n, &n); err != nil {
				t.Fatalf("viewBox %q: %v", doc.ViewBox, err)
			}
			if (n-2*QuietZone-17)%4 != 0 || n < 21+2*QuietZone {
				t.Errorf("viewBox side %d is not a QR version plus the quiet zone", n)
			}
			if doc.Width != "240" || doc.Height != "240" || doc.ShapeRendering != "crispEdges" || doc.Role != "img" {
				t.Errorf("attributes: %+v", doc)
			}
			if len(doc.Paths) != 1 || len(doc.Rects) != 1 || doc.Rects[0].Fill != "#fff" {
				t.Fatalf("want one white rect and one path, got %d rects, %d paths", len(doc.Rects), len(doc.Paths))
			}
			if doc.Title != "QR code for "+text {
				t.Errorf("title = %q", doc.Title)
			}
			if got := decode(t, rasterise(t, doc.Paths[0].D, n, 6)); got != text {
				t.Errorf("decoded %q, want %q", got, text)
			}
		})
	}
}

func TestSVGTitleEscaped(t *testing.T) {
	title := `Check in to "Cardiology <ECGs> & arrhythmias" </title><script>alert(1)</script>` + "\x00\xff"
	data, err := SVG("https://rounds.test/c/1", Options{Title: title, Level: High})
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, data)
	if bytes.Contains(data, []byte("<script")) {
		t.Fatalf("title not escaped:\n%s", data)
	}
	var doc svgDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(title, "\x00\xff") + "\uFFFD\uFFFD"
	if doc.Title != want {
		t.Errorf("title = %q, want %q", doc.Title, want)
	}
	if doc.Width != "" {
		t.Errorf("width = %q with Size 0, want none", doc.Width)
	}
}

func TestLevels(t *testing.T) {
	text := "https://rounds.test/checkin/42?code=A7K2QX"
	prev := 0
	for _, level := range []Level{Low, Medium, Quartile, High} {
		modules, err := encode(text, level)
		if err != nil {
			t.Fatal(err)
		}
		if len(modules) < prev {
			t.Errorf("level %d gives %d modules, fewer than the level below (%d)", level, len(modules), prev)
		}
		prev = len(modules)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		err  func() error
	}{
		{"empty text", func() error { _, err := SVG("", Options{}); return err }},
		{"negative size", func() error { _, err := SVG("x", Options{Size: -1}); return err }},
		{"unknown level", func() error { _, err := SVG("x", Options{Level: 9}); return err }},
		{"too long", func() error { _, err := SVG(strings.Repeat("x", 4000), Options{}); return err }},
		{"png too long", func() error { _, err := PNG(strings.Repeat("x", 4000), 1000); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil || !strings.HasPrefix(err.Error(), "qr: ") {
				t.Errorf("err = %v, want a qr: error", err)
			}
		})
	}
}
