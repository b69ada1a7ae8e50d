package mail_test

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"

	"rounds/internal/mail"
)

// A long name, title or address with no space to break at is sent in lines
// a mail server accepts, and read back whole.
func TestLongWordsInAnEmail(t *testing.T) {
	long := "Aoife-Siobhán-Ní-Mhaoldomhnaigh-Uí-Shúilleabháin-Fitzgerald-Ó-Donnchadha"
	m := sample()
	m.ToName = long
	m.Subject = "Booked: " + strings.Repeat(long, 2)
	m.Text = "Hello " + long + ",\n\nhttps://rounds.example.org/sessions/42/feedback?overall=5&teaching=5&" + strings.Repeat("x", 200) + "\n"
	msg, err := mail.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(raw.String(), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d is %d characters: %.80s…", i+1, len(line), line)
		}
	}
	parsed, err := netmail.ReadMessage(&raw)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("subject read back as %q (%v)", subject, err)
	}
	var body io.Reader = parsed.Body
	if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, _ := io.ReadAll(body)
	if got := strings.ReplaceAll(string(text), "\r\n", "\n"); got != m.Text {
		t.Errorf("text read back as %q", got)
	}
}
