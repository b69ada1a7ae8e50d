package meetingreport

import "strings"

// readRecords splits text into records of fields separated by delim. With
// quotes, fields may be quoted as in RFC 4180 (doubled quotes inside, and
// delimiters and line breaks kept); the reader is lenient: text after a
// closing quote is kept, and an opening quote that is never closed is taken
// literally. Lines end with CRLF, LF or a lone CR. Blank lines are kept as
// records with one empty field, because they separate sections.
func readRecords(s string, delim byte, quotes bool) [][]string {
	var (
		recs    [][]string
		fields  []string
		b       strings.Builder
		atStart = true
	)
	for i := 0; i < len(s); {
		c := s[i]
		if quotes && atStart && c == '"' {
			if end, ok := scanQuoted(s, i, &b); ok {
				i, atStart = end, false
				continue
			}
		}
		atStart = false
		switch c {
		case delim:
			fields = append(fields, b.String())
			b.Reset()
			atStart = true
			i++
		case '\r', '\n':
			fields = append(fields, b.String())
			b.Reset()
			recs = append(recs, fields)
			fields = nil
			atStart = true
			if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	if !atStart || len(fields) > 0 {
		recs = append(recs, append(fields, b.String()))
	}
	return recs
}

// scanQuoted reads the quoted field that opens at s[i], appending its value to
// b, and returns the index just after the closing quote. If the quote is never
// closed it writes nothing and returns false. An unclosed quote means every
// later run of quotes has even length, so a later field-opening quote closes
// within its own run: at most one scan ever runs to the end of the text.
func scanQuoted(s string, i int, b *strings.Builder) (int, bool) {
	j := i + 1
	for {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return 0, false
		}
		q := j + k
		if q+1 < len(s) && s[q+1] == '"' {
			j = q + 2
			continue
		}
		b.WriteString(strings.ReplaceAll(s[i+1:q], `""`, `"`))
		return q + 1, true
	}
}
