package handlers

import "testing"

// TestSafeNext: after logging in, a member is sent back to a page of this
// site, and never, by any spelling a browser forgives, to another host.
func TestSafeNext(t *testing.T) {
	for _, c := range []struct{ next, want string }{
		{"/sessions/3", "/sessions/3"},
		{"/sessions?topic=Clinical%20skills&year=2", "/sessions?topic=Clinical%20skills&year=2"},
		{"/my/sessions#feedback", "/my/sessions#feedback"},
		{"", "/"},
		{"/\t/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/%0a/evil.example", "/"},
		{"/%0d%0aLocation:%20https://evil.example", "/"},
		{"/ /evil.example", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"%2f%2fevil.example", "/"},
		{"https://evil.example", "/"},
		{"https:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/%zz", "/"},
	} {
		if got := safeNext(c.next); got != c.want {
			t.Errorf("safeNext(%q) = %q, want %q", c.next, got, c.want)
		}
	}
}
