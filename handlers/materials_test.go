package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// upload sends a file as multipart/form-data, with the other fields, from
// a client with a bearer token, or from a browser (with its CSRF token
// from the page from).
func upload(t *testing.T, a *app, b *browser, from, path, token, filename string, data []byte, fields map[string]string) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if b != nil {
		fields["_csrf"] = b.csrf(from)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if filename != "" {
		w, _ := mw.CreateFormFile("file", filename)
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", a.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if b != nil {
		return b.do(req)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, raw}
}

func pdfBytes(n int) []byte {
	b := bytes.Repeat([]byte("p"), n)
	copy(b, "%PDF-1.7\n")
	return b
}

func TestMaterialsAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacher := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, other := a.user("other@example.ac.uk", models.RoleTeacher, nil)
		_, booked := a.user("booked@example.ac.uk", models.RoleStudent, intp(2))
		_, notBooked := a.user("nobody@example.ac.uk", models.RoleStudent, intp(2))
		start := a.clock.Now().Add(72 * time.Hour)
		id := int64(a.api("POST", "/api/v1/sessions", sessionBody(start, nil), teacher).json(t)["session"].(map[string]any)["id"].(float64))
		a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, teacher)
		if res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{"mode": "in_person"}, booked); res.Status != http.StatusCreated {
			t.Fatalf("booking: %d %s", res.Status, res.Body)
		}
		path := fmt.Sprintf("/api/v1/sessions/%d/materials", id)

		slides := pdfBytes(2<<20 + 7)
		res := upload(t, a, nil, "", path, teacher, "Cœur – séance 1.pdf", slides, map[string]string{"visible": "booked_before"})
		if res.Status != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.Status, res.Body)
		}
		m := res.json(t)["material"].(map[string]any)
		if m["kind"] != "file" || m["title"] != "Cœur – séance 1" || m["size"] != float64(len(slides)) || m["visible"] != "booked_before" {
			t.Fatalf("material %v", m)
		}
		fileID := int64(m["id"].(float64))
		res = a.api("POST", path, map[string]string{"title": "Answers", "url": "https://example.org/answers", "visible": "attendees_after"}, teacher)
		if res.Status != http.StatusCreated || res.json(t)["material"].(map[string]any)["kind"] != "link" {
			t.Fatalf("link: %d %s", res.Status, res.Body)
		}

		// Refused uploads say why; other teachers and students may not add.
		for _, bad := range []struct {
			name string
			data []byte
			want string
		}{
			{"page.pdf", []byte("<!doctype html><script>alert(1)</script>"), "Web pages, SVG, scripts"},
			{"logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "Web pages, SVG, scripts"},
			{"big.pdf", pdfBytes(models.MaxMaterialFile + 1), "a file may be at most 25 MB"},
			{"bigger.pdf", pdfBytes(30 << 20), "This file is 30 MB; a file may be at most 25 MB"},
		} {
			res := upload(t, a, nil, "", path, teacher, bad.name, bad.data, map[string]string{})
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), bad.want) {
				t.Errorf("%s: %d %.200s", bad.name, res.Status, res.Body)
			}
		}
		if res := upload(t, a, nil, "", path, teacher, "huge.pdf", pdfBytes(40_000_001), map[string]string{}); res.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("a body over the limit: %d", res.Status)
		}
		if res := upload(t, a, nil, "", path, other, "x.pdf", pdfBytes(100), map[string]string{}); res.Status != http.StatusForbidden {
			t.Errorf("another teacher uploads: %d", res.Status)
		}
		if res := a.api("POST", path, map[string]string{"url": "https://example.org"}, booked); res.Status != http.StatusForbidden {
			t.Errorf("a student adds a link: %d", res.Status)
		}

		// Listed to whoever may see them.
		if got := a.api("GET", path, nil, booked).json(t); len(got["materials"].([]any)) != 1 || got["hidden"] != float64(1) {
			t.Errorf("the booked student's list: %v", got)
		}
		if got := a.api("GET", path, nil, notBooked).json(t); len(got["materials"].([]any)) != 0 {
			t.Errorf("the other student's list: %v", got)
		}

		// Downloaded as a file, whatever a browser would guess.
		get := func(tok string, hdr map[string]string) response {
			req, _ := http.NewRequest("GET", a.srv.URL+fmt.Sprintf("/materials/%d", fileID), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			raw, _ := io.ReadAll(r.Body)
			return response{r.StatusCode, r.Header, raw}
		}
		dl := get(booked, nil)
		if dl.Status != http.StatusOK || !bytes.Equal(dl.Body, slides) {
			t.Fatalf("download: %d, %d bytes", dl.Status, len(dl.Body))
		}
		for k, want := range map[string]string{
			"Content-Type":           "application/pdf",
			"Content-Disposition":    `attachment; filename="C_ur _ s_ance 1.pdf"; filename*=UTF-8''C%C5%93ur%20%E2%80%93%20s%C3%A9ance%201.pdf`,
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "private, no-cache",
		} {
			if got := dl.Header.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		etag := dl.Header.Get("ETag")
		if len(etag) != 66 {
			t.Errorf("ETag %q", etag)
		}
		if res := get(booked, map[string]string{"If-None-Match": etag}); res.Status != http.StatusNotModified || len(res.Body) != 0 {
			t.Errorf("revalidated: %d", res.Status)
		}
		if res := get(notBooked, nil); res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "with a place") {
			t.Errorf("a student without a place: %d %s", res.Status, res.Body)
		}

		// Removing: the other teacher may not; then it is gone.
		if res := a.api("DELETE", fmt.Sprintf("/api/v1/materials/%d", fileID), nil, other); res.Status != http.StatusForbidden {
			t.Errorf("another teacher removes it: %d", res.Status)
		}
		if res := a.api("DELETE", fmt.Sprintf("/api/v1/materials/%d", fileID), nil, teacher); res.Status != http.StatusNoContent {
			t.Errorf("remove: %d %s", res.Status, res.Body)
		}
		if res := get(booked, nil); res.Status != http.StatusNotFound {
			t.Errorf("a removed file: %d", res.Status)
		}
	})
}

func TestMaterialsPages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, studentTok := a.user("student@example.ac.uk", models.RoleStudent, intp(2))
		start := a.clock.Now().Add(72 * time.Hour)
		id := int64(a.api("POST", "/api/v1/sessions", sessionBody(start, nil), teacherTok).json(t)["session"].(map[string]any)["id"].(float64))
		a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, teacherTok)
		a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{"mode": "online"}, studentTok)
		teacher, student := a.browser(), a.browser()
		teacher.login("teacher@example.ac.uk", "correct horse battery")
		student.login("student@example.ac.uk", "correct horse battery")
		manage := fmt.Sprintf("/sessions/%d/manage", id)

		contains(t, teacher.get(manage), "No materials yet", "Upload a file", "Add a link", "Students with a place, before and after the session")
		// A refused file: the form again, with why and what was typed.
		res := upload(t, a, teacher, manage, fmt.Sprintf("/sessions/%d/materials", id), "", "evil.html", []byte("<html><body>hi</body></html>"),
			map[string]string{"form": "file", "title": "My notes", "visible": "attendees_after"})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a web page: %d", res.Status)
		}
		contains(t, res, "Web pages, SVG, scripts and programs cannot be shared", `value="My notes"`, `value="attendees_after" checked`)
		res = upload(t, a, teacher, manage, fmt.Sprintf("/sessions/%d/materials", id), "", "ECG slides.pdf", pdfBytes(4000), map[string]string{"form": "file", "visible": "booked_before"})
		if res.Status != http.StatusSeeOther || flashKind(res) != "success" {
			t.Fatalf("upload: %d %s", res.Status, res.Body)
		}
		res = upload(t, a, teacher, manage, fmt.Sprintf("/sessions/%d/materials", id), "", "", nil, map[string]string{"form": "link", "url": "https://example.org/ecg-quiz", "title": "ECG quiz", "visible": "attendees_after"})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("link: %d %s", res.Status, res.Body)
		}
		contains(t, teacher.get(manage), "ECG slides", "PDF, 4 KB", "ECG quiz", "Remove")
		page := student.get(fmt.Sprintf("/sessions/%d", id))
		contains(t, page, `id="materials-h"`, "ECG slides", "/materials/", "More materials appear here for those who came")
		if strings.Contains(string(page.Body), "ECG quiz") {
			t.Error("the attendees' link shows before the session")
		}
		ms, _, _ := models.SessionMaterials(t.Context(), a.db, mustUser(t, a, "teacher@example.ac.uk"), models.Session{ID: id}, a.clock.Now())
		res = teacher.post(manage, fmt.Sprintf("/sessions/%d/materials/%d/delete", id, ms[0].ID), url.Values{})
		if res.Status != http.StatusSeeOther || flashKind(res) != "success" {
			t.Fatalf("remove: %d", res.Status)
		}
		if strings.Contains(string(student.get(fmt.Sprintf("/sessions/%d", id)).Body), "ECG slides") {
			t.Error("a removed file is still listed")
		}
	})
}
