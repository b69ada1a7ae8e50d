package mail

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// Server is where an SMTP sender delivers: a parsed ROUNDS_SMTP_URL.
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // none, starttls or tls
}

// ParseURL reads smtp://user:pass@host:port?tls=none|starttls|tls.
func ParseURL(raw string) (Server, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return Server{}, errors.New("must look like smtp://user:pass@host:587?tls=starttls")
	}
	s := Server{Host: u.Hostname(), TLS: u.Query().Get("tls")}
	if s.TLS == "" {
		s.TLS = "starttls"
		if u.Scheme == "smtps" {
			s.TLS = "tls"
		}
	}
	switch s.TLS {
	case "none", "starttls", "tls":
	default:
		return Server{}, fmt.Errorf("tls=%q must be none, starttls or tls", s.TLS)
	}
	s.Port = 587
	if s.TLS == "tls" {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		s.Port, err = strconv.Atoi(p)
		if err != nil || s.Port < 1 || s.Port > 65535 {
			return Server{}, fmt.Errorf("port %q is not a port number", p)
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}
