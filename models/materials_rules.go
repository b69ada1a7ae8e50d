package models

import (
	"archive/zip"
	"bytes"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on a session's materials.
const (
	MaxMaterialFile     = 25 << 20  // bytes in one file (25 MB)
	MaxSessionMaterials = 100 << 20 // bytes in all the files of one session (100 MB)
	MaxMaterialsCount   = 50        // files and links of one session
	maxMaterialTitle    = 200
	maxMaterialFilename = 150
)

// fileType is a kind of file Rounds keeps: the type it is served as, and
// the ending its name is given.
type fileType struct {
	ContentType, Ext, Label string
}

// The kinds of file a teacher may share. Anything a browser could run or
// show as a page (HTML, SVG, XML, scripts) is none of them, nor is an
// Office file with macros, nor a bare archive or program.
var (
	typePDF  = fileType{"application/pdf", ".pdf", "PDF"}
	typePNG  = fileType{"image/png", ".png", "PNG image"}
	typeJPEG = fileType{"image/jpeg", ".jpg", "JPEG image"}
	typeGIF  = fileType{"image/gif", ".gif", "GIF image"}
	typeWebP = fileType{"image/webp", ".webp", "WebP image"}
	typeDOCX = fileType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word document"}
	typeXLSX = fileType{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel spreadsheet"}
	typePPTX = fileType{"application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "PowerPoint slides"}
	typeODT  = fileType{"application/vnd.oasis.opendocument.text", ".odt", "OpenDocument text"}
	typeODS  = fileType{"application/vnd.oasis.opendocument.spreadsheet", ".ods", "OpenDocument spreadsheet"}
	typeODP  = fileType{"application/vnd.oasis.opendocument.presentation", ".odp", "OpenDocument slides"}
	typeKey  = fileType{"application/vnd.apple.keynote", ".key", "Keynote slides"}
)

// errFileKind is the refusal of a file that is none of the kinds above.
const errFileKind = "Share a PDF, slides (PowerPoint, Keynote, OpenDocument), a Word or Excel file, or a PNG, JPEG, GIF or WebP image. Web pages, SVG, scripts and programs cannot be shared as files: post a link instead."

// sniffFile tells what kind of file data is from its content, never from
// its name: the file's own signature (http.DetectContentType), and for a
// ZIP container the parts inside that make it an Office, OpenDocument or
// Keynote file. ok is false, with the reason, for anything else.
func sniffFile(data []byte) (fileType, string, bool) {
	switch ct := http.DetectContentType(data); ct {
	case "application/pdf":
		return typePDF, "", true
	case "image/png":
		return typePNG, "", true
	case "image/jpeg":
		return typeJPEG, "", true
	case "image/gif":
		return typeGIF, "", true
	case "image/webp":
		return typeWebP, "", true
	case "application/zip":
		return sniffZip(data)
	}
	return fileType{}, errFileKind, false
}

// sniffZip tells an Office Open XML, OpenDocument or Keynote file from any
// other ZIP archive by what it holds.
func sniffZip(data []byte) (fileType, string, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fileType{}, "This file looks like a ZIP archive but cannot be read: it may be damaged.", false
	}
	has := map[string]bool{}
	var mimetype string
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if strings.HasSuffix(name, "vbaproject.bin") {
			return fileType{}, "This Office file contains macros. Save it without macros (as .docx, .pptx or .xlsx) or as a PDF, then share it.", false
		}
		top, _, _ := strings.Cut(name, "/")
		has[top] = true
		has[name] = true
		if f.Name == "mimetype" && f.UncompressedSize64 < 200 {
			if rc, err := f.Open(); err == nil {
				var b [200]byte
				n, _ := rc.Read(b[:])
				mimetype = strings.TrimSpace(string(b[:n]))
				_ = rc.Close()
			}
		}
	}
	switch {
	case has["[content_types].xml"] && has["word"]:
		return typeDOCX, "", true
	case has["[content_types].xml"] && has["xl"]:
		return typeXLSX, "", true
	case has["[content_types].xml"] && has["ppt"]:
		return typePPTX, "", true
	case mimetype == typeODT.ContentType:
		return typeODT, "", true
	case mimetype == typeODS.ContentType:
		return typeODS, "", true
	case mimetype == typeODP.ContentType:
		return typeODP, "", true
	case has["index"] && (has["index/document.iwa"] || has["index/presentation.iwa"] || has["index/slide.iwa"]):
		return typeKey, "", true
	}
	return fileType{}, errFileKind, false
}

// materialFilename is the name a file is downloaded under: the name it was
// uploaded with, without folders, control or quoting characters, at most
// maxMaterialFilename characters, and ending as its content says (a PDF
// named notes.docx is downloaded as notes.docx.pdf).
func materialFilename(name string, t fileType) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.ToValidUTF8(name, ""))
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == '"', r == '/', r == '\\', unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ".")
	if name == "" {
		name = "material"
	}
	if strings.EqualFold(path.Ext(name), t.Ext) || (t == typeJPEG && strings.EqualFold(path.Ext(name), ".jpeg")) {
		name = strings.TrimSuffix(name, path.Ext(name))
	}
	if limit := maxMaterialFilename - len([]rune(t.Ext)); utf8.RuneCountInString(name) > limit {
		name = string([]rune(name)[:limit])
	}
	return name + t.Ext
}

// materialTitle is the title a file is listed under when none is given:
// its name without the ending.
func materialTitle(filename string) string {
	return strings.TrimSuffix(filename, path.Ext(filename))
}

// materialSees tells whether someone sees a material of session s at now:
// the session's teachers and committee always; for booked_before, whoever
// holds a confirmed place or came; for attendees_after, whoever came, once
// the session has ended.
func materialSees(v MaterialVisibility, s Session, manages, confirmed, attended bool, now time.Time) bool {
	switch {
	case manages:
		return true
	case s.Status == SessionDraft:
		return false
	case v == VisibleBookedBefore:
		return confirmed || attended
	case v == VisibleAttendeesAfter:
		return attended && s.HasEnded(now)
	}
	return false
}
