package meetingreport

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// refuseByMagic recognises files that are plainly something other than a
// text report and says what to do instead.
func refuseByMagic(data []byte) error {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return refuse("This looks like an Excel workbook (or another zipped file), not a CSV file. Open it in Excel, save it as CSV, and upload that file instead.")
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return refuse("This looks like an old-style Excel workbook, not a CSV file. Open it in Excel, save it as CSV, and upload that file instead.")
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return refuse("This is a PDF, not an attendance report. Download the attendance report from Teams or Zoom as a CSV file and upload that.")
	}
	return nil
}

// decode turns the uploaded bytes into text. The encoding is taken from a
// byte-order mark when there is one; otherwise UTF-16 is recognised by its
// pattern of NUL bytes, and anything that is not valid UTF-8 is read as
// Windows-1252, which is what Excel writes when it saves "CSV" on Windows.
func decode(data []byte) string {
	var s string
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		s = decodeUTF8(data[len(bomUTF8):])
	case bytes.HasPrefix(data, bomUTF16LE):
		s = decodeUTF16(data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, bomUTF16BE):
		s = decodeUTF16(data[2:], binary.BigEndian)
	default:
		switch sniffUTF16(data) {
		case 'l':
			s = decodeUTF16(data, binary.LittleEndian)
		case 'b':
			s = decodeUTF16(data, binary.BigEndian)
		default:
			s = decodeUTF8(data)
		}
	}
	return strings.TrimLeft(s, "\uFEFF")
}

// sniffUTF16 guesses the byte order of BOM-less UTF-16 from where the NUL
// bytes fall: mostly-ASCII text in UTF-16LE has a NUL in nearly every odd
// byte and almost none in the even ones. It returns 'l', 'b' or 0.
func sniffUTF16(data []byte) byte {
	n := min(len(data), 4096) &^ 1
	if n < 4 {
		return 0
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*4 && even*20 <= pairs:
		return 'l'
	case even*10 >= pairs*4 && odd*20 <= pairs:
		return 'b'
	}
	return 0
}

func decodeUTF16(data []byte, order binary.ByteOrder) string {
	u := make([]uint16, len(data)/2)
	for i := range u {
		u[i] = order.Uint16(data[2*i:])
	}
	return string(utf16.Decode(u))
}

func decodeUTF8(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	return decodeWindows1252(data)
}

// cp1252 holds the characters Windows-1252 puts at 0x80–0x9F; the rest of
// the code page is the same as Latin-1. Unassigned bytes map to U+FFFD.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

func decodeWindows1252(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// looksBinary reports whether decoded text has too many control characters
// or undecodable sequences to be a text export.
func looksBinary(s string) bool {
	var bad, total int
	for _, r := range s {
		total++
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r == 0 || r == utf8.RuneError || unicode.IsControl(r):
			bad++
		}
	}
	return bad > 0 && bad*100 >= total
}
