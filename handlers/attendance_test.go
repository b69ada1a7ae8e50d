package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// upload posts a file as multipart form data, as the import form does.
func (a *app) upload(path, token, filename string, content []byte, fields map[string]string) response {
	a.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest("POST", a.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, raw}
}

func TestAttendanceFeedbackCertificatesAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, otherTok := a.user("other@example.ac.uk", models.RoleTeacher, nil)
		var students []string
		for i := 0; i < 3; i++ {
			_, tok := a.user(fmt.Sprintf("s%d@example.ac.uk", i), models.RoleStudent, intp(1))
			students = append(students, tok)
		}
		start := a.clock.Now().Add(24 * time.Hour)
		res := a.api("POST", "/api/v1/sessions", sessionBody(start, map[string]any{"in_person_capacity": 10}), teacherTok)
		id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
		path := fmt.Sprintf("/api/v1/sessions/%d", id)
		a.api("POST", path+"/publish", nil, teacherTok)
		for _, tok := range students[:2] {
			if r := a.api("POST", path+"/bookings", map[string]string{"mode": "in_person"}, tok); r.Status != 201 {
				t.Fatalf("book: %d %s", r.Status, r.Body)
			}
		}

		// The room's code: for its teachers only.
		a.clock.Set(start.Add(-5 * time.Minute))
		if r := a.api("GET", path+"/checkin?mode=in_person", nil, students[0]); r.Status != 403 {
			t.Errorf("student reads the code: %d", r.Status)
		}
		if r := a.api("GET", path+"/checkin?mode=in_person", nil, otherTok); r.Status != 403 && r.Status != 404 {
			t.Errorf("another teacher reads the code: %d", r.Status)
		}
		r := a.api("GET", path+"/checkin?mode=in_person", nil, teacherTok)
		if r.Status != 200 {
			t.Fatalf("code: %d %s", r.Status, r.Body)
		}
		c := r.json(t)
		code := c["code"].(string)
		if !strings.Contains(c["url"].(string), "code="+code) || c["expires_at"] == nil {
			t.Errorf("code response = %v", c)
		}

		// Check in: 201, then 200 for a repeat; a walk-in too; wrong code 422.
		if r := a.api("POST", path+"/checkin", map[string]string{"code": code}, students[0]); r.Status != 201 ||
			r.json(t)["attendance"].(map[string]any)["status"] != "present" {
			t.Errorf("check-in: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", path+"/checkin", map[string]string{"code": strings.ToLower(code)}, students[0]); r.Status != 200 {
			t.Errorf("repeat check-in: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", path+"/checkin", map[string]string{"code": "P22222"}, students[1]); r.Status != 422 || r.errorCode(t) != "invalid_code" {
			t.Errorf("wrong code: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", "/api/v1/checkin", map[string]string{"code": code}, students[2]); r.Status != 201 {
			t.Errorf("walk-in by code alone: %d %s", r.Status, r.Body)
		}

		// The register: students cannot read or write it.
		if r := a.api("GET", path+"/attendance", nil, students[0]); r.Status != 403 {
			t.Errorf("student reads the register: %d", r.Status)
		}
		s1, _ := models.UserByEmail(t.Context(), a.db, "s1@example.ac.uk")
		if r := a.api("PUT", fmt.Sprintf("%s/attendance/%d", path, s1.ID), map[string]string{"status": "late"}, students[0]); r.Status != 403 {
			t.Errorf("student writes the register: %d", r.Status)
		}
		if r := a.api("PUT", fmt.Sprintf("%s/attendance/%d", path, s1.ID), map[string]string{"status": "sleeping"}, teacherTok); r.Status != 422 {
			t.Errorf("bad status: %d %s", r.Status, r.Body)
		}
		if r := a.api("PUT", fmt.Sprintf("%s/attendance/%d", path, s1.ID), map[string]string{"status": "late", "mode": "in_person"}, teacherTok); r.Status != 200 {
			t.Errorf("register: %d %s", r.Status, r.Body)
		}
		r = a.api("GET", path+"/attendance", nil, teacherTok)
		if list := r.json(t)["attendance"].([]any); len(list) != 3 {
			t.Errorf("attendance list: %s", r.Body)
		}

		// A Zoom report, imported through the API.
		zoom := "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n" +
			"Teacher,teacher@example.ac.uk,11/03/2026 06:00:00 PM,11/03/2026 07:30:00 PM,90,No\r\n" +
			"\"Someone, Unknown\",stranger@elsewhere.org,11/03/2026 06:00:00 PM,11/03/2026 07:30:00 PM,90,Yes\r\n"
		r = a.upload(path+"/attendance/import", teacherTok, "zoom.csv", []byte(zoom), map[string]string{"min_minutes": "30"})
		if r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		imp := r.json(t)
		if imp["marked_present"] != float64(0) || len(imp["unmatched"].([]any)) != 1 || imp["skipped"] != float64(1) {
			t.Errorf("import result: %s", r.Body)
		}
		if r := a.upload(path+"/attendance/import", teacherTok, "notes.txt", []byte("hello\nworld"), nil); r.Status != 422 {
			t.Errorf("garbage import: %d %s", r.Status, r.Body)
		}
		if r := a.upload(path+"/attendance/import", students[0], "zoom.csv", []byte(zoom), nil); r.Status != 403 {
			t.Errorf("student imports: %d", r.Status)
		}

		// Feedback: attendees once; others refused; summary withheld below 3.
		a.clock.Set(start.Add(2 * time.Hour))
		fb := map[string]any{"overall": 5, "teaching": 4, "confidence_before": 2, "confidence_after": 4,
			"benefits": []string{"knowledge"}, "went_well": "Clear", "improve": "<b>More</b> cases"}
		r = a.api("POST", path+"/feedback", fb, students[0])
		if r.Status != 201 {
			t.Fatalf("feedback: %d %s", r.Status, r.Body)
		}
		cert := r.json(t)["certificate"].(map[string]any)
		if r := a.api("POST", path+"/feedback", fb, students[0]); r.Status != 409 {
			t.Errorf("second feedback: %d", r.Status)
		}
		_, outsider := a.user("outsider@example.ac.uk", models.RoleStudent, intp(3))
		if r := a.api("POST", path+"/feedback", fb, outsider); r.Status != 403 || r.errorCode(t) != "did_not_attend" {
			t.Errorf("feedback without attending: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", path+"/feedback", map[string]any{"overall": 9}, students[1]); r.Status != 422 {
			t.Errorf("invalid feedback: %d %s", r.Status, r.Body)
		}
		r = a.api("GET", path+"/feedback/summary", nil, teacherTok)
		sum := r.json(t)
		if sum["withheld"] != true || sum["responses"] != float64(1) || sum["attended"] != float64(3) || sum["overall_avg"] != nil {
			t.Errorf("summary: %s", r.Body)
		}
		if r := a.api("GET", path+"/feedback/summary", nil, students[0]); r.Status != 403 {
			t.Errorf("student reads the summary: %d", r.Status)
		}

		// Certificates: listed, verified publicly, and as a PDF.
		r = a.api("GET", "/api/v1/me/certificates", nil, students[0])
		certs := r.json(t)["certificates"].([]any)
		if len(certs) != 1 || certs[0].(map[string]any)["kind"] != "attendance" {
			t.Fatalf("my certificates: %s", r.Body)
		}
		code = cert["code"].(string)
		page := a.browser().get("/certificates/" + code)
		if page.Status != 200 || !strings.Contains(string(page.Body), "s0") || !strings.Contains(string(page.Body), "Cardiology: ECG basics") {
			t.Errorf("verification page: %d", page.Status)
		}
		if strings.Contains(string(page.Body), "s0@example.ac.uk") {
			t.Error("the verification page shows the e-mail address")
		}
		pdf := a.api("GET", "/certificates/"+code+".pdf", nil, "")
		if pdf.Status != 200 || !bytes.HasPrefix(pdf.Body, []byte("%PDF")) || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
		}
		if r := a.browser().get("/certificates/RND-0000-0000"); r.Status != 404 {
			t.Errorf("unknown certificate: %d", r.Status)
		}
		r = a.api("POST", "/api/v1/me/certificates/teaching", map[string]string{"from": "2026-08-01", "to": "2027-08-01"}, teacherTok)
		if r.Status != 201 {
			t.Fatalf("teaching certificate: %d %s", r.Status, r.Body)
		}
		tc := r.json(t)["certificate"].(map[string]any)
		if tpdf := a.api("GET", "/certificates/"+tc["code"].(string)+".pdf", nil, ""); tpdf.Status != 200 {
			t.Errorf("teaching pdf: %d", tpdf.Status)
		}
		if r := a.api("POST", "/api/v1/me/certificates/teaching", nil, students[0]); r.Status != 403 {
			t.Errorf("student asks for a teaching certificate: %d", r.Status)
		}
	})
}
