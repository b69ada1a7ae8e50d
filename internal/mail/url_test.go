package mail

import "testing"

func TestParseURL(t *testing.T) {
	cases := []struct {
		in   string
		want Server
	}{
		{"smtp://mail.example:2525?tls=none", Server{Host: "mail.example", Port: 2525, TLS: "none"}},
		{"smtp://u%40x:p%3Ass@mail.example", Server{Host: "mail.example", Port: 587, TLS: "starttls", Username: "u@x", Password: "p:ss"}},
		{"smtp://mail.example?tls=tls", Server{Host: "mail.example", Port: 465, TLS: "tls"}},
		{"smtps://mail.example", Server{Host: "mail.example", Port: 465, TLS: "tls"}},
	}
	for _, c := range cases {
		got, err := ParseURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h:99999", "smtp://h?tls=ssl3"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
