package models

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"
)

// zipOf is a ZIP archive of the named parts, each holding its name, except
// "mimetype", which holds the value given.
func zipOf(t *testing.T, mimetype string, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if mimetype != "" {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
		_, _ = w.Write([]byte(mimetype))
	}
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(n))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffFileByContent(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for _, c := range []struct {
		name string
		data []byte
		want string // the content type, or "" for a refusal
	}{
		{"a PDF", []byte("%PDF-1.7\n1 0 obj\n"), "application/pdf"},
		{"a PNG", png, "image/png"},
		{"a JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "image/jpeg"},
		{"a GIF", []byte("GIF89a\x01\x00"), "image/gif"},
		{"a Word file", zipOf(t, "", "[Content_Types].xml", "word/document.xml"), typeDOCX.ContentType},
		{"an Excel file", zipOf(t, "", "[Content_Types].xml", "xl/workbook.xml"), typeXLSX.ContentType},
		{"PowerPoint slides", zipOf(t, "", "[Content_Types].xml", "ppt/presentation.xml"), typePPTX.ContentType},
		{"OpenDocument slides", zipOf(t, typeODP.ContentType, "content.xml"), typeODP.ContentType},
		{"OpenDocument text", zipOf(t, typeODT.ContentType, "content.xml"), typeODT.ContentType},
		{"Keynote slides", zipOf(t, "", "Index/Document.iwa", "Data/image.png"), typeKey.ContentType},
		{"PowerPoint with macros", zipOf(t, "", "[Content_Types].xml", "ppt/presentation.xml", "ppt/vbaProject.bin"), ""},
		{"a bare ZIP", zipOf(t, "", "notes.txt"), ""},
		{"a web page", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), ""},
		{"an SVG image", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"an SVG without a declaration", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), ""},
		{"XML", []byte(`<?xml version="1.0"?><note/>`), ""},
		{"JavaScript", []byte("alert(document.cookie)\n"), ""},
		{"plain text", []byte("Bring a stethoscope."), ""},
		{"a program", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},
		{"a PDF named like a page is still a PDF", []byte("%PDF-1.4\n"), "application/pdf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, why, ok := sniffFile(c.data)
			if ok != (c.want != "") || got.ContentType != c.want {
				t.Fatalf("sniffed %q (%v, %q), want %q", got.ContentType, ok, why, c.want)
			}
			if !ok && why == "" {
				t.Fatal("a refusal without a reason")
			}
		})
	}
}

func TestMaterialFilename(t *testing.T) {
	for _, c := range []struct {
		name string
		t    fileType
		want string
	}{
		{"Week 1 slides.pdf", typePDF, "Week 1 slides.pdf"},
		{"notes.docx", typePDF, "notes.docx.pdf"},
		{`C:\Users\tess\Desktop\ECG.PPTX`, typePPTX, "ECG.pptx"},
		{"../../etc/passwd", typePDF, "passwd.pdf"},
		{"photo.jpeg", typeJPEG, "photo.jpg"},
		{"a\"b\r\nc\u202e.pdf", typePDF, "abc.pdf"},
		{"Anatomie – coeur ♥.pdf", typePDF, "Anatomie – coeur ♥.pdf"},
		{"", typePNG, "material.png"},
		{"...", typePNG, "material.png"},
		{strings.Repeat("é", 300) + ".pdf", typePDF, strings.Repeat("é", 146) + ".pdf"},
	} {
		if got := materialFilename(c.name, c.t); got != c.want {
			t.Errorf("%q: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMaterialSees(t *testing.T) {
	start := time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)
	s := Session{Status: SessionPublished, StartsAt: start, EndsAt: start.Add(time.Hour)}
	before, after := start.Add(-time.Hour), start.Add(2*time.Hour)
	draft := s
	draft.Status = SessionDraft
	for _, c := range []struct {
		name                         string
		v                            MaterialVisibility
		s                            Session
		manages, confirmed, attended bool
		now                          time.Time
		want                         bool
	}{
		{"a teacher, before", VisibleAttendeesAfter, s, true, false, false, before, true},
		{"booked, before", VisibleBookedBefore, s, false, true, false, before, true},
		{"booked, after", VisibleBookedBefore, s, false, true, false, after, true},
		{"came without booking", VisibleBookedBefore, s, false, false, true, after, true},
		{"not booked", VisibleBookedBefore, s, false, false, false, before, false},
		{"booked, for attendees, before", VisibleAttendeesAfter, s, false, true, false, before, false},
		{"came, for attendees, during", VisibleAttendeesAfter, s, false, true, true, start.Add(30 * time.Minute), false},
		{"came, for attendees, after", VisibleAttendeesAfter, s, false, true, true, after, true},
		{"booked but absent, for attendees, after", VisibleAttendeesAfter, s, false, true, false, after, false},
		{"a draft's student", VisibleBookedBefore, draft, false, true, true, after, false},
	} {
		if got := materialSees(c.v, c.s, c.manages, c.confirmed, c.attended, c.now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
