package meetingreport

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
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
	case bytes.HasPrefix(data, bomUTF16LE), bytes.HasPrefix(data, bomUTF16BE):
		// The decoder reads the byte order from the mark and drops it.
		s = decodeUTF16(data, xunicode.UseBOM, xunicode.LittleEndian)
	default:
		switch sniffUTF16(data) {
		case 'l':
			s = decodeUTF16(data, xunicode.IgnoreBOM, xunicode.LittleEndian)
		case 'b':
			s = decodeUTF16(data, xunicode.IgnoreBOM, xunicode.BigEndian)
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

// decodeUTF16 reads data as UTF-16 in the given byte order, or the order of
// its byte-order mark when bom is UseBOM. A last odd byte, half a character,
// is left out.
func decodeUTF16(data []byte, bom xunicode.BOMPolicy, order xunicode.Endianness) string {
	return decodeWith(xunicode.UTF16(order, bom), data[:len(data)&^1])
}

// decodeUTF8 reads data as UTF-8 if it is valid UTF-8 and as Windows-1252
// otherwise.
func decodeUTF8(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	return decodeWith(charmap.Windows1252, data)
}

// decodeWith decodes data with enc. Bytes enc cannot map become U+FFFD.
func decodeWith(enc encoding.Encoding, data []byte) string {
	s, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		// Not expected: the UTF-16 and Windows-1252 decoders replace
		// what they cannot read rather than fail.
		return string(bytes.ToValidUTF8(data, []byte("\uFFFD")))
	}
	return string(s)
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
