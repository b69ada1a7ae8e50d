// Package qr owns the drawing of QR codes: the check-in code shown in the
// room (an SVG drawn by the server, no JavaScript) and the verification link
// printed on certificates (a PNG for PDFs). Encoding the symbol is left to
// github.com/skip2/go-qrcode; this package draws it.
package qr

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// QuietZone is the white margin, in modules, around every code; scanners need
// four.
const QuietZone = 4

// Level is how much of the code may be damaged or covered and still scan.
type Level int

// Error correction levels, from smallest code to most robust.
const (
	// Medium recovers about 15% and is the default: a good size for URLs
	// shown on a projector or a phone.
	Medium Level = iota
	// Low recovers about 7%.
	Low
	// Quartile recovers about 25%.
	Quartile
	// High recovers about 30%, for print that may be creased or stamped.
	High
)

// Options controls how SVG draws a code.
type Options struct {
	// Title is the accessible name of the image; when empty it is
	// "QR code for " followed by the text.
	Title string
	// Size sets the width and height attributes in pixels; zero leaves the
	// size to CSS (the SVG scales to its container).
	Size int
	// Level is the error correction level; the zero value is Medium.
	Level Level
}

// SVG returns text as a QR code in a compact SVG document: one path of the
// dark modules on a white square, a quiet zone of four modules, a viewBox in
// module units and a <title> for screen readers.
func SVG(text string, opts Options) ([]byte, error) {
	if opts.Size < 0 {
		return nil, fmt.Errorf("qr: negative size %d", opts.Size)
	}
	modules, err := encode(text, opts.Level)
	if err != nil {
		return nil, err
	}
	n := len(modules) + 2*QuietZone
	title := opts.Title
	if title == "" {
		title = "QR code for " + text
	}

	var b bytes.Buffer
	dim := strconv.Itoa(n)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + dim + " " + dim + `"`)
	if opts.Size > 0 {
		px := strconv.Itoa(opts.Size)
		b.WriteString(` width="` + px + `" height="` + px + `"`)
	}
	b.WriteString(` shape-rendering="crispEdges" role="img">`)
	b.WriteString("<title>")
	// EscapeText also replaces characters XML cannot hold at all.
	if err := xml.EscapeText(&b, []byte(title)); err != nil {
		return nil, fmt.Errorf("qr: title: %w", err)
	}
	b.WriteString("</title>")
	// An explicit white ground keeps the code scannable on dark pages.
	b.WriteString(`<rect width="` + dim + `" height="` + dim + `" fill="#fff"/>`)
	b.WriteString(`<path fill="#000" d="`)
	writePath(&b, modules)
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}

// writePath draws each horizontal run of dark modules as a one-module-high
// rectangle, offset by the quiet zone.
func writePath(b *bytes.Buffer, modules [][]bool) {
	for y, row := range modules {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(b, "M%d %dh%dv1H%dz", start+QuietZone, y+QuietZone, x-start, start+QuietZone)
		}
	}
}

// PNG returns text as a size×size pixel PNG QR code at the Medium level, for
// embedding into PDFs. Each module is a whole number of pixels; what is left
// over widens the quiet zone, so the code stays sharp.
func PNG(text string, size int) ([]byte, error) {
	modules, err := encode(text, Medium)
	if err != nil {
		return nil, err
	}
	n := len(modules) + 2*QuietZone
	if size < n {
		return nil, fmt.Errorf("qr: size %d is smaller than the %d modules the code needs", size, n)
	}
	scale := size / n
	offset := (size - len(modules)*scale) / 2

	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for py := 0; py < scale; py++ {
				line := img.Pix[(offset+y*scale+py)*img.Stride:]
				for px := 0; px < scale; px++ {
					line[offset+x*scale+px] = 1
				}
			}
		}
	}

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: png: %w", err)
	}
	return buf.Bytes(), nil
}

// encode returns the code's modules without a quiet zone, indexed [y][x],
// true for dark.
func encode(text string, level Level) ([][]bool, error) {
	if text == "" {
		return nil, errors.New("qr: empty text")
	}
	var rl qrcode.RecoveryLevel
	switch level {
	case Low:
		rl = qrcode.Low
	case Medium:
		rl = qrcode.Medium
	case Quartile:
		rl = qrcode.High // skip2 calls 25% "High"
	case High:
		rl = qrcode.Highest
	default:
		return nil, fmt.Errorf("qr: unknown level %d", level)
	}
	code, err := qrcode.New(text, rl)
	if err != nil {
		return nil, fmt.Errorf("qr: encode: %w", err)
	}
	// Bitmap must be called only once per code: the library appends the
	// terminator to its data each time it builds the symbol.
	code.DisableBorder = true
	return code.Bitmap(), nil
}
