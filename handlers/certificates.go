package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/internal/pdf"
	"rounds/internal/qr"
	"rounds/models"
)

func (h *Handler) certificateURL(code string) string {
	return h.Config.BaseURL + "/certificates/" + code
}

func (h *Handler) certificateJSON(c models.Certificate) map[string]any {
	return map[string]any{"code": c.Code, "kind": c.Kind, "title": c.Title, "issued_at": c.IssuedAt,
		"url": h.certificateURL(c.Code), "pdf_url": h.certificateURL(c.Code) + ".pdf"}
}

func (h *Handler) apiMyCertificates(c echo.Context) error {
	certs, err := models.CertificatesOf(c.Request().Context(), h.Store, currentUser(c).ID)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(certs))
	for _, cert := range certs {
		out = append(out, h.certificateJSON(cert))
	}
	return c.JSON(http.StatusOK, map[string]any{"certificates": out})
}

// apiTeachingCertificate issues a teacher's record for ?from=&to= (dates in
// the society's time zone; default the current academic year).
func (h *Handler) apiTeachingCertificate(c echo.Context) error {
	var in struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	from, to, err := h.period(in.From, in.To)
	if err != nil {
		return err
	}
	cert, err := models.IssueTeachingCertificate(c.Request().Context(), h.Store, *currentUser(c), from, to, h.Config.FeedbackMinResponses, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"certificate": h.certificateJSON(cert)})
}

// period reads a from/to pair; empty means the current academic year
// (1 August to 1 August).
func (h *Handler) period(fromS, toS string) (time.Time, time.Time, error) {
	start := models.AcademicYearStart(h.Clock.Now(), h.Config.Location)
	from, to := start.UTC(), start.AddDate(1, 0, 0).UTC()
	p := models.Problems{}
	if fromS != "" {
		t, ok := h.parseWhen(fromS)
		if !ok {
			p.Add("from", "Use a date like 2026-08-01.")
		}
		from = t
	}
	if toS != "" {
		t, ok := h.parseWhen(toS)
		if !ok {
			p.Add("to", "Use a date like 2027-08-01.")
		}
		to = t
	}
	if err := p.Err(); err != nil {
		return from, to, err
	}
	if !to.After(from) {
		return from, to, &models.ValidationError{Fields: map[string]string{"to": "Choose an end after the start."}}
	}
	return from, to, nil
}

// certificatePDFFile serves /certificates/{code}.pdf.
func (h *Handler) certificatePDFFile(c echo.Context) error {
	c.Response().Header().Set("X-Robots-Tag", "noindex, nofollow")
	cert, err := models.CertificateByCode(c.Request().Context(), h.Store, c.Param("code"))
	if err != nil {
		return err
	}
	if cert.WithdrawnAt != nil { // its member's account was erased
		return models.ErrNotFound
	}
	body, err := h.certificatePDF(cert)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+cert.Code+`.pdf"`)
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, "application/pdf", body)
}

// certificatePage serves /certificates/{code}, the public verification page.
func (h *Handler) certificatePage(c echo.Context) error {
	c.Response().Header().Set("X-Robots-Tag", "noindex, nofollow")
	cert, err := models.CertificateByCode(c.Request().Context(), h.Store, c.Param("code"))
	if err != nil {
		return err
	}
	d := map[string]any{"Title": "Certificate " + cert.Code, "Certificate": cert, "PDF": "/certificates/" + cert.Code + ".pdf"}
	if cert.WithdrawnAt != nil {
		// The member's account was erased: the page says so, and no more.
		d["Title"], d["Withdrawn"] = "Certificate "+cert.Code+" withdrawn", true
		return h.render(c, http.StatusOK, "certificate", d)
	}
	switch cert.Kind {
	case models.CertificateAttendance:
		f, err := cert.Attendance()
		if err != nil {
			return err
		}
		d["Attendance"] = f
	case models.CertificateTeaching:
		f, err := cert.Teaching()
		if err != nil {
			return err
		}
		d["Teaching"] = f
	case models.CertificateMentoring:
		f, err := cert.Mentoring()
		if err != nil {
			return err
		}
		d["Mentoring"] = f
	}
	if svg, err := qr.SVG(h.certificateURL(cert.Code), qr.Options{Title: "QR code of this verification page"}); err == nil {
		d["QR"] = svgHTML(svg)
	}
	return h.render(c, http.StatusOK, "certificate", d)
}

const society = "Rounds"

func (h *Handler) localRange(start, end time.Time) string {
	s, e := start.In(h.Config.Location), end.In(h.Config.Location)
	return s.Format("Monday 2 January 2006, 15:04") + "–" + e.Format("15:04 MST")
}

// certificatePDF draws a certificate as it was issued.
func (h *Handler) certificatePDF(cert models.Certificate) ([]byte, error) {
	verify := h.certificateURL(cert.Code)
	png, err := qr.PNG(verify, 256)
	if err != nil {
		return nil, err
	}
	issued := cert.IssuedAt.In(h.Config.Location).Format("2 January 2006")
	switch cert.Kind {
	case models.CertificateAttendance:
		f, err := cert.Attendance()
		if err != nil {
			return nil, err
		}
		return pdf.Attendance(pdf.AttendanceCertificate{Code: cert.Code, StudentName: f.StudentName, SessionTitle: f.SessionTitle,
			Topic: f.Topic, Format: f.Format.Label(), Date: h.localRange(f.StartsAt, f.EndsAt),
			DurationMinutes: f.DurationMinutes, Teachers: f.Teachers, Society: society, IssuedAt: issued,
			IssuedTime: cert.IssuedAt, VerifyURL: verify, QRPNG: png})
	case models.CertificateTeaching:
		f, err := cert.Teaching()
		if err != nil {
			return nil, err
		}
		tc := pdf.TeachingCertificate{Code: cert.Code, TeacherName: f.TeacherName,
			PeriodFrom:    f.From.In(h.Config.Location).Format("2 January 2006"),
			PeriodTo:      f.To.Add(-time.Second).In(h.Config.Location).Format("2 January 2006"),
			TotalSessions: f.TotalSessions, TotalHours: f.TotalHours, TotalAttendees: f.TotalAttendees,
			OverallAvg: f.OverallAvg, TeachingAvg: f.TeachingAvg, Responses: f.Responses,
			Society: society, IssuedAt: issued, IssuedTime: cert.IssuedAt, VerifyURL: verify, QRPNG: png}
		for _, s := range f.Sessions {
			tc.Sessions = append(tc.Sessions, pdf.TaughtSession{Date: s.StartsAt.In(h.Config.Location).Format("2 Jan 2006"),
				Title: s.Title, Topic: s.Topic, Format: s.Format.Label(), Hours: s.Hours,
				Attendees: s.Attendees, OverallAvg: s.OverallAvg, TeachingAvg: s.TeachingAvg, Responses: s.Responses})
		}
		return pdf.Teaching(tc)
	case models.CertificateMentoring:
		f, err := cert.Mentoring()
		if err != nil {
			return nil, err
		}
		return pdf.Mentoring(pdf.MentoringCertificate{Code: cert.Code, MentorName: f.MentorName, SchemeTitle: f.SchemeTitle,
			PeriodFrom: f.From.In(h.Config.Location).Format("2 January 2006"), PeriodTo: f.To.In(h.Config.Location).Format("2 January 2006"),
			Months: f.Months, Mentees: f.Mentees, MeetingsHeld: f.MeetingsHeld,
			Society: society, IssuedAt: issued, IssuedTime: cert.IssuedAt, VerifyURL: verify, QRPNG: png})
	}
	return nil, models.ErrNotFound
}
