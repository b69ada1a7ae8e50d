package meetingreport

import (
	"encoding/binary"
	"testing"
)

func TestDecode(t *testing.T) {
	const text = "Name,Email\r\nRenée O’Brien,renee@example.org\r\nZoë 🩺 €5\r\n"
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"UTF-8", []byte(text), text},
		{"UTF-8 with BOM", []byte("\uFEFF" + text), text},
		{"UTF-8 with two BOMs", []byte("\uFEFF\uFEFF" + text), text},
		{"UTF-16LE with BOM", encodeUTF16(text, true, binary.LittleEndian), text},
		{"UTF-16BE with BOM", encodeUTF16(text, true, binary.BigEndian), text},
		{"UTF-16LE without BOM", encodeUTF16(text, false, binary.LittleEndian), text},
		{"UTF-16BE without BOM", encodeUTF16(text, false, binary.BigEndian), text},
		{"UTF-16LE BOM only", []byte{0xFF, 0xFE}, ""},
		{"UTF-16LE with a last odd byte", append(encodeUTF16("ab", true, binary.LittleEndian), 'c'), "ab"},
		{"UTF-16LE lone surrogate", encodeUTF16Units(binary.LittleEndian, 0xFEFF, 'a', 0xD83E, 'b'), "a\uFFFDb"},
		{"Windows-1252", []byte("Ren\xe9e O\x92Brien, \x80 5, \x93quoted\x94"), "Renée O’Brien, € 5, “quoted”"},
		{"Windows-1252 after a UTF-8 BOM", []byte("\xef\xbb\xbfRen\xe9e"), "Renée"},
		{"Windows-1252 unassigned byte", []byte("a\x81b\xe9"), "a\uFFFDbé"},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decode(tt.data); got != tt.want {
				t.Errorf("decode(% x) = %q, want %q", tt.data, got, tt.want)
			}
		})
	}
}

// encodeUTF16Units writes UTF-16 code units as they are, paired or not.
func encodeUTF16Units(order binary.AppendByteOrder, units ...uint16) []byte {
	var out []byte
	for _, u := range units {
		out = order.AppendUint16(out, u)
	}
	return out
}
