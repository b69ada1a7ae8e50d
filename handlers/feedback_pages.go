package handlers

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// The pages of feedback and certificates: the student's feedback form and
// its thank-you, the list of feedback still to give, the teacher's summaries
// and the member's certificates. They call the same models as the API.

// feedbackForm is a student's answers as typed, kept to re-show the form.
type feedbackForm struct {
	Overall, Teaching, ConfidenceBefore, ConfidenceAfter string
	Benefits                                             map[models.Benefit]bool
	WentWell, Improve                                    string
}

// input turns the answers into what models checks; a missing or garbled
// rating becomes 0, which models refuses with a message beside the field.
func (f feedbackForm) input() models.FeedbackInput {
	in := models.FeedbackInput{Overall: rating(f.Overall), Teaching: rating(f.Teaching),
		ConfidenceBefore: rating(f.ConfidenceBefore), ConfidenceAfter: rating(f.ConfidenceAfter),
		WentWell: f.WentWell, Improve: f.Improve, Benefits: []models.Benefit{}}
	for _, b := range models.Benefits {
		if f.Benefits[b] {
			in.Benefits = append(in.Benefits, b)
		}
	}
	return in
}

func rating(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

func readFeedbackForm(c echo.Context) (feedbackForm, error) {
	form, err := c.FormParams()
	if err != nil {
		return feedbackForm{}, &errMalformed{"The form could not be read."}
	}
	f := feedbackForm{Overall: form.Get("overall"), Teaching: form.Get("teaching"),
		ConfidenceBefore: form.Get("confidence_before"), ConfidenceAfter: form.Get("confidence_after"),
		WentWell: form.Get("went_well"), Improve: form.Get("improve"), Benefits: map[models.Benefit]bool{}}
	for _, b := range form["benefits"] {
		f.Benefits[models.Benefit(b)] = true
	}
	return f, nil
}

// feedbackMessages say what is missing in the words of the question; models'
// own messages are kept for anything else.
var feedbackMessages = map[string]string{
	"overall":           "Choose how good the session was overall, from 1 to 5.",
	"teaching":          "Choose how good the teaching was, from 1 to 5.",
	"confidence_before": "Choose how confident you were before the session, from 1 to 5.",
	"confidence_after":  "Choose how confident you are now, from 1 to 5.",
}

// The states of the feedback page: the form, or why there is none.
const (
	feedbackOpen        = "open"
	feedbackNotAttended = "not_attended"
	feedbackNotOpen     = "not_open"
	feedbackGiven       = "given"
	feedbackThanks      = "thanks"
)

// feedbackView gathers what the feedback page needs about the session and
// the student, and in which state the page is.
func (h *Handler) feedbackView(c echo.Context) (map[string]any, error) {
	u := currentUser(c)
	s := sessionFrom(c)
	teachers, err := models.SessionTeachers(c.Request().Context(), h.Store, s.ID)
	if err != nil {
		return nil, err
	}
	d := map[string]any{"Title": "Feedback: " + s.Title, "Session": s, "Teachers": teachers,
		"Benefits": models.Benefits, "State": feedbackOpen, "Form": feedbackForm{Benefits: map[models.Benefit]bool{}}}
	if manager, err := models.CanManageSession(c.Request().Context(), h.Store, *u, s.ID); err != nil {
		return nil, err
	} else if manager {
		d["Manager"] = true
	}
	a, found, err := models.AttendanceOf(c.Request().Context(), h.Store, u.ID, s.ID)
	if err != nil {
		return nil, err
	}
	switch given, err := models.HasGivenFeedback(c.Request().Context(), h.Store, u.ID, s.ID); {
	case err != nil:
		return nil, err
	case given:
		d["State"] = feedbackGiven
		cert, err := h.attendanceCertificate(c.Request().Context(), u.ID, s.ID)
		if err != nil {
			return nil, err
		}
		d["Certificate"] = cert
	case !found || !a.Attended():
		d["State"] = feedbackNotAttended
	case h.Clock.Now().Before(models.FeedbackOpensAt(s)):
		d["State"] = feedbackNotOpen
		d["OpensAt"] = models.FeedbackOpensAt(s)
	}
	return d, nil
}

// attendanceCertificate finds the student's certificate for a session, or
// nil if none was issued.
func (h *Handler) attendanceCertificate(ctx context.Context, userID, sessionID int64) (*models.Certificate, error) {
	certs, err := models.CertificatesOf(ctx, h.Store, userID)
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		if c.Kind == models.CertificateAttendance && c.SessionID != nil && *c.SessionID == sessionID {
			return &c, nil
		}
	}
	return nil, nil
}

// feedbackStatus is the status code of a feedback page in a state: the
// refusals carry the API's codes so that scripts and tests can tell them apart.
func feedbackStatus(state string, post bool) int {
	switch {
	case state == feedbackNotAttended:
		return http.StatusForbidden
	case post && state == feedbackGiven:
		return http.StatusConflict
	case post && state == feedbackNotOpen:
		return http.StatusConflict
	}
	return http.StatusOK
}

// feedbackPage shows the feedback form, or why it cannot be given. The link
// of the feedback e-mails lands here; ?overall= and ?teaching= (1–5) choose
// those ratings in advance, for an e-mail's one-click rating links.
func (h *Handler) feedbackPage(c echo.Context) error {
	d, err := h.feedbackView(c)
	if err != nil {
		return err
	}
	f := d["Form"].(feedbackForm)
	if n := rating(c.QueryParam("overall")); n >= 1 && n <= 5 {
		f.Overall = strconv.Itoa(n)
	}
	if n := rating(c.QueryParam("teaching")); n >= 1 && n <= 5 {
		f.Teaching = strconv.Itoa(n)
	}
	d["Form"] = f
	state := d["State"].(string)
	return h.render(c, feedbackStatus(state, false), "feedback", d)
}

func (h *Handler) feedbackSubmit(c echo.Context) error {
	id := sessionFrom(c).ID
	f, err := readFeedbackForm(c)
	if err != nil {
		return err
	}
	d, err := h.feedbackView(c)
	if err != nil {
		return err
	}
	if state := d["State"].(string); state != feedbackOpen {
		return h.render(c, feedbackStatus(state, true), "feedback", d)
	}
	_, _, err = models.SubmitFeedback(c.Request().Context(), h.Store, *currentUser(c), id, f.input(), h.Clock.Now())
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		problems := map[string]string{}
		for field, msg := range ve.Fields {
			if m, ok := feedbackMessages[field]; ok {
				msg = m
			}
			problems[field] = msg
		}
		d["Form"], d["Errors"] = f, problems
		return h.render(c, http.StatusUnprocessableEntity, "feedback", d)
	case errors.Is(err, models.ErrFeedbackGiven), errors.Is(err, models.ErrDidNotAttend), errors.Is(err, models.ErrFeedbackTooEarly):
		// The state changed since it was read: show the page as it is now.
		if d, err = h.feedbackView(c); err != nil {
			return err
		}
		return h.render(c, feedbackStatus(d["State"].(string), true), "feedback", d)
	case err != nil:
		return err
	}
	return redirect(c, "/sessions/"+strconv.FormatInt(id, 10)+"/feedback/thanks")
}

// feedbackThanksPage thanks the student and hands over the attendance
// certificate that their feedback earned.
func (h *Handler) feedbackThanksPage(c echo.Context) error {
	id := sessionFrom(c).ID
	d, err := h.feedbackView(c)
	if err != nil {
		return err
	}
	if d["State"] != feedbackGiven {
		return redirect(c, "/sessions/"+strconv.FormatInt(id, 10)+"/feedback")
	}
	d["State"], d["Title"] = feedbackThanks, "Thank you for your feedback"
	return h.render(c, http.StatusOK, "feedback", d)
}

// feedbackDuePage lists the sessions the student attended and has not yet
// given feedback on.
func (h *Handler) feedbackDuePage(c echo.Context) error {
	due, err := models.FeedbackDue(c.Request().Context(), h.Store, currentUser(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "feedback_due", map[string]any{"Title": "Feedback to give", "Sessions": due})
}

// benefitRows counts the answers that named each benefit, in the form's order.
func benefitRows(sum models.FeedbackSummary) []benefitRow {
	rows := make([]benefitRow, 0, len(models.Benefits))
	for _, b := range models.Benefits {
		r := benefitRow{Label: b.Label(), Count: sum.Benefits[b]}
		if sum.Shown > 0 {
			r.Percent = int(math.Round(100 * float64(r.Count) / float64(sum.Shown)))
			// The bar's length is a class (w-0 … w-100 in steps of 5): the
			// Content-Security-Policy allows no style attribute.
			r.Width = 5 * int(math.Round(float64(r.Percent)/5))
		}
		rows = append(rows, r)
	}
	return rows
}

// benefitRow is one benefit, how many answers named it, and what share of
// the shown answers that is.
type benefitRow struct {
	Label          string
	Count, Percent int
	Width          int // Percent rounded to 5, for the bar's class
}

// feedbackSummaryPage shows a session's feedback to its teachers and
// committee, never naming a student; below the anonymity threshold only the
// counts.
func (h *Handler) feedbackSummaryPage(c echo.Context) error {
	s := sessionFrom(c)
	sum, err := models.SessionFeedbackSummary(c.Request().Context(), h.Store, *currentUser(c), s.ID, h.Config.FeedbackMinResponses)
	if err != nil {
		return err
	}
	teachers, err := models.SessionTeachers(c.Request().Context(), h.Store, s.ID)
	if err != nil {
		return err
	}
	d := map[string]any{"Title": "Feedback summary: " + s.Title, "Session": s, "Teachers": teachers, "Summary": sum,
		"Figures": figures(sum), "MinResponses": h.Config.FeedbackMinResponses, "Started": s.HasStarted(h.Clock.Now())}
	if !sum.Withheld {
		d["BenefitRows"], d["SpreadRows"] = benefitRows(sum), spreadRows(sum)
		// Each list on its own, so that neither says which answers came
		// from the same student.
		var wentWell, improve []string
		for _, cm := range sum.Comments {
			if cm.WentWell != "" {
				wentWell = append(wentWell, cm.WentWell)
			}
			if cm.Improve != "" {
				improve = append(improve, cm.Improve)
			}
		}
		sort.Strings(improve)
		d["WentWell"], d["Improve"] = wentWell, improve
	}
	return h.render(c, http.StatusOK, "feedback_summary", d)
}

// dateRange reads a period chosen as a first and a last day (both
// included) in the society's time zone; empty means the current academic
// year. It returns [from, to) and the dates as they should be shown again.
func (h *Handler) dateRange(fromS, toS string) (from, to time.Time, form map[string]string, err error) {
	loc := h.Config.Location
	start := models.AcademicYearStart(h.Clock.Now(), loc)
	from, to = start, start.AddDate(1, 0, 0)
	fromS, toS = strings.TrimSpace(fromS), strings.TrimSpace(toS)
	p := models.Problems{}
	if fromS != "" {
		t, e := time.ParseInLocation("2006-01-02", fromS, loc)
		if e != nil {
			p.Add("from", "Enter the first day as a date, like 2026-08-01.")
		}
		from = t
	}
	if toS != "" {
		t, e := time.ParseInLocation("2006-01-02", toS, loc)
		if e != nil {
			p.Add("to", "Enter the last day as a date, like 2027-07-31.")
		}
		to = t.AddDate(0, 0, 1)
	}
	form = map[string]string{"from": fromS, "to": toS}
	if fromS == "" {
		form["from"] = from.Format("2006-01-02")
	}
	if toS == "" {
		form["to"] = to.AddDate(0, 0, -1).Format("2006-01-02")
	}
	if len(p) == 0 && !to.After(from) {
		p.Add("to", "Choose a last day on or after the first day.")
	}
	return from.UTC(), to.UTC(), form, p.Err()
}

// taughtSession is one line of the teacher's feedback overview.
type taughtSession struct {
	Session models.Session
	Summary models.FeedbackSummary
	Figures summaryFigures
}

// summaryFigures are a summary's numbers as the pages write them; empty
// when there is no figure (withheld, or nobody to count).
type summaryFigures struct {
	Rate, Overall, Teaching, Gain string
}

func figures(sum models.FeedbackSummary) summaryFigures {
	var f summaryFigures
	if sum.ResponseRate != nil {
		f.Rate = strconv.FormatFloat(*sum.ResponseRate*100, 'f', 0, 64) + "%"
	}
	if sum.Withheld {
		return f
	}
	if sum.OverallAvg != nil {
		f.Overall = strconv.FormatFloat(*sum.OverallAvg, 'f', 1, 64)
	}
	if sum.TeachingAvg != nil {
		f.Teaching = strconv.FormatFloat(*sum.TeachingAvg, 'f', 1, 64)
	}
	if g := sum.ConfidenceGainAvg; g != nil {
		f.Gain = strconv.FormatFloat(*g, 'f', 1, 64)
		if *g > 0 {
			f.Gain = "+" + f.Gain
		} else if f.Gain == "-0.0" {
			f.Gain = "0.0"
		}
	}
	return f
}

// teachingFeedbackPage sums up the feedback on every session a teacher
// taught in a period, and lists the sessions: the caller's own, or for
// committee any teacher's (?teacher=ID).
func (h *Handler) teachingFeedbackPage(c echo.Context) error {
	u := currentUser(c)
	teacher := memberFrom(c)
	d := map[string]any{"Title": "Feedback on your teaching", "Teacher": teacher, "Self": teacher.ID == u.ID,
		"MinResponses": h.Config.FeedbackMinResponses}
	if teacher.ID != u.ID {
		d["Title"] = "Feedback on " + teacher.Name + "’s teaching"
	}
	from, to, form, err := h.dateRange(c.QueryParam("from"), c.QueryParam("to"))
	d["Form"] = form
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		d["Errors"] = ve.Fields
		return h.render(c, http.StatusUnprocessableEntity, "feedback_summary", d)
	}
	sum, err := models.TeacherFeedbackSummary(c.Request().Context(), h.Store, teacher.ID, from, to, h.Config.FeedbackMinResponses)
	if err != nil {
		return err
	}
	d["Summary"], d["Figures"], d["From"], d["To"] = sum, figures(sum), from, to
	if !sum.Withheld {
		d["BenefitRows"], d["SpreadRows"] = benefitRows(sum), spreadRows(sum)
	}
	sessions, err := models.ListSessions(c.Request().Context(), h.Store, *u, models.SessionFilter{TeacherID: teacher.ID, Status: models.SessionPublished, From: from, To: to})
	if err != nil {
		return err
	}
	now := h.Clock.Now()
	var taught []models.Session
	var ids []int64
	for _, s := range sessions {
		// As TeacherFeedbackSummary counts them: started within the period.
		if !s.StartsAt.Before(from) && s.HasStarted(now) {
			taught, ids = append(taught, s), append(ids, s.ID)
		}
	}
	sums, err := models.SessionFeedbackSummaries(c.Request().Context(), h.Store, *u, ids, h.Config.FeedbackMinResponses)
	if err != nil {
		return err
	}
	var rows []taughtSession
	for _, s := range taught {
		if ss, ok := sums[s.ID]; ok {
			rows = append(rows, taughtSession{Session: s, Summary: ss, Figures: figures(ss)})
		}
	}
	// Newest first, as a teacher reads back over their term.
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	d["Sessions"] = rows
	return h.render(c, http.StatusOK, "feedback_summary", d)
}

// certificatesPage lists the member's certificates and, for teachers, offers
// a teaching certificate for a period.
func (h *Handler) certificatesPage(c echo.Context) error {
	_, _, form, _ := h.dateRange("", "")
	return h.showCertificates(c, http.StatusOK, form, nil)
}

func (h *Handler) showCertificates(c echo.Context, status int, form map[string]string, problems map[string]string) error {
	certs, err := models.CertificatesOf(c.Request().Context(), h.Store, currentUser(c).ID)
	if err != nil {
		return err
	}
	return h.render(c, status, "certificates", map[string]any{"Title": "Your certificates", "Certificates": certs,
		"Form": form, "Errors": problems})
}

// teachingCertificateSubmit issues a teaching certificate for the chosen
// period and shows its verification page.
func (h *Handler) teachingCertificateSubmit(c echo.Context) error {
	from, to, form, err := h.dateRange(c.FormValue("from"), c.FormValue("to"))
	var cert models.Certificate
	if err == nil {
		cert, err = models.IssueTeachingCertificate(c.Request().Context(), h.Store, *currentUser(c), from, to, h.Config.FeedbackMinResponses, h.Clock.Now())
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.showCertificates(c, http.StatusUnprocessableEntity, form, ve.Fields)
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "Your teaching certificate has been issued. Share this page or download the PDF for your portfolio.")
	return redirect(c, "/certificates/"+cert.Code)
}
