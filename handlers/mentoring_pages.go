package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// The members' mentoring pages: the schemes open to them, applying, their
// pairs, a pair's meetings, notes and goals, and the questionnaires. They
// call the same use cases as the API (mentoring.go), which decide who may
// do what; a pair or a scheme the caller may not see is not found.

// formFailed answers a form whose use case refused it: a problem with a
// field shows the form again, with the fields' messages (422);
// a refusal because of the thing's state goes back with the reason as a
// flash; anything else is an error page.
func (h *Handler) formFailed(c echo.Context, err error, back string, again func(problems map[string]string) error) error {
	var ve *models.ValidationError
	var de *models.Error
	switch {
	case errors.As(err, &ve) && again != nil:
		return again(ve.Fields)
	case errors.As(err, &ve):
		h.flash(c, "error", firstProblem(ve.Fields))
		return redirect(c, back)
	case errors.As(err, &de) && (de.Kind == models.KindConflict || de.Kind == models.KindUnprocessable):
		h.flash(c, "error", de.Message)
		return redirect(c, back)
	}
	return err
}

// firstProblem is one of the messages, the same each time.
func firstProblem(p map[string]string) string {
	best := ""
	for k := range p {
		if best == "" || k < best {
			best = k
		}
	}
	return p[best]
}

// formValues reads a posted form.
func formValues(c echo.Context) (url.Values, error) {
	f, err := c.FormParams()
	if err != nil {
		return nil, &errMalformed{"The form could not be read."}
	}
	return f, nil
}

// lines splits a text box into its non-empty lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// localTime reads a form's date and time (an input of type
// datetime-local) in the society's time zone; false if it is empty or
// garbled.
func (h *Handler) localTime(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(s), h.Config.Location)
	return t.UTC(), err == nil
}

// mentoringQuestionnaire is a questionnaire a member still has to answer.
type mentoringQuestionnaire struct {
	SchemeID int64
	Title    string
	Phase    models.QuestionPhase
}

// mentoringPage is the member's mentoring: their pairs, the questionnaires
// waiting for them and the schemes they may apply to or have applied to.
func (h *Handler) mentoringPage(c echo.Context) error {
	ctx, u := c.Request().Context(), *currentUser(c)
	schemes, err := models.ListSchemes(ctx, h.Store, u)
	if err != nil {
		return err
	}
	pairs, err := models.MyMentoring(ctx, h.Store, u)
	if err != nil {
		return err
	}
	var due []mentoringQuestionnaire
	seen := map[int64]bool{}
	for _, p := range pairs {
		if seen[p.Scheme.ID] {
			continue
		}
		seen[p.Scheme.ID] = true
		phases := []models.QuestionPhase{models.PhaseBefore}
		if p.Scheme.Status == models.SchemeClosed {
			phases = append(phases, models.PhaseAfter)
		}
		for _, ph := range phases {
			q, err := models.QuestionnaireFor(ctx, h.Store, u, p.Scheme.ID, ph)
			if err != nil {
				return err
			}
			if len(q.Items) > 0 && !q.Answered {
				due = append(due, mentoringQuestionnaire{SchemeID: p.Scheme.ID, Title: p.Scheme.Title, Phase: ph})
			}
		}
	}
	var mine, open []models.SchemeFor
	for _, s := range schemes {
		switch {
		case s.MyApplication != nil:
			mine = append(mine, s)
		case len(s.CanApplyAs) > 0:
			open = append(open, s)
		}
	}
	return h.render(c, http.StatusOK, "mentoring", map[string]any{"Title": "Mentoring", "Pairs": pairs,
		"Due": due, "Applied": mine, "Open": open})
}

// applicationForm is an application as typed, kept to show the form again.
type applicationForm struct {
	Role         string
	Interests    map[string]bool
	Mode         string
	Availability map[string]bool
	Other        string
	Hopes        string
	MaxMentees   string
	Answers      []string
	Consent      bool
}

func formFromApplication(a models.Application) applicationForm {
	f := applicationForm{Role: string(a.Role), Interests: map[string]bool{}, Mode: string(a.Mode), Availability: map[string]bool{},
		Hopes: a.Hopes, MaxMentees: strconv.Itoa(a.MaxMentees), Answers: a.Answers.V, Consent: a.ResearchConsent}
	known := map[string]bool{}
	for _, o := range models.AvailabilityOptions() {
		known[o[0]] = true
	}
	var other []string
	for _, t := range a.Availability.V {
		if known[t] {
			f.Availability[t] = true
		} else {
			other = append(other, strings.ReplaceAll(t, "_", " "))
		}
	}
	f.Other = strings.Join(other, ", ")
	for _, i := range a.Interests.V {
		f.Interests[i] = true
	}
	return f
}

func readApplicationForm(c echo.Context) (applicationForm, error) {
	v, err := formValues(c)
	if err != nil {
		return applicationForm{}, err
	}
	f := applicationForm{Role: v.Get("role"), Interests: map[string]bool{}, Mode: v.Get("mode"), Availability: map[string]bool{},
		Other: v.Get("other_times"), Hopes: v.Get("hopes"), MaxMentees: v.Get("max_mentees"), Answers: v["answers"],
		Consent: v.Get("research_consent") == "yes"}
	for _, i := range v["interests"] {
		f.Interests[i] = true
	}
	for _, t := range v["availability"] {
		f.Availability[t] = true
	}
	return f, nil
}

// input is the form as the use case reads it; a garbled number of mentees
// becomes 0, which it refuses beside the field.
func (f applicationForm) input(s models.Scheme) (models.ApplicationInput, error) {
	in := models.ApplicationInput{Role: models.MentoringRole(f.Role), Mode: models.MeetingPreference(f.Mode), Hopes: f.Hopes,
		Answers: f.Answers, ResearchConsent: f.Consent, Interests: []string{}, Availability: []string{}}
	for _, i := range s.Interests.V {
		if f.Interests[i] {
			in.Interests = append(in.Interests, i)
		}
	}
	for _, o := range models.AvailabilityOptions() {
		if f.Availability[o[0]] {
			in.Availability = append(in.Availability, o[0])
		}
	}
	for _, t := range strings.Split(f.Other, ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Availability = append(in.Availability, t)
		}
	}
	if in.Role == models.RoleMentor {
		n, err := strconv.Atoi(strings.TrimSpace(f.MaxMentees))
		if err != nil {
			return in, &models.ValidationError{Fields: map[string]string{"max_mentees": fmt.Sprintf("Give a number of mentees from 1 to %d.", models.MaxMenteesPerMax)}}
		}
		in.MaxMentees = &n
	}
	return in, nil
}

// showView renders a page from the view its forms also show again.
func showView[T any](h *Handler, c echo.Context, page string, view func(echo.Context) (map[string]any, T, error)) error {
	d, _, err := view(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, page, d)
}

func schemePagePath(id int64) string { return fmt.Sprintf("/mentoring/schemes/%d", id) }

// schemeApplyView is the scheme page: the form to apply, or the member's
// application to change or withdraw.
func (h *Handler) schemeApplyView(c echo.Context) (map[string]any, models.SchemeFor, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, models.SchemeFor{}, err
	}
	s, err := models.SchemeForMember(c.Request().Context(), h.Store, *currentUser(c), id)
	if err != nil {
		return nil, s, err
	}
	f := applicationForm{Interests: map[string]bool{}, Availability: map[string]bool{}, Mode: string(models.PreferEither),
		MaxMentees: strconv.Itoa(s.MaxMenteesDefault)}
	if len(s.CanApplyAs) == 1 {
		f.Role = string(s.CanApplyAs[0])
	}
	if s.MyApplication != nil {
		f = formFromApplication(*s.MyApplication)
	}
	for len(f.Answers) < len(s.Questions.V) {
		f.Answers = append(f.Answers, "")
	}
	mayMentor := f.Role == string(models.RoleMentor) || (s.MyApplication == nil && slices.Contains(s.CanApplyAs, models.RoleMentor))
	// Broad free times first; the parts of each day folded away below them.
	var broad, days [][2]string
	daysOpen := false
	for _, o := range models.AvailabilityOptions() {
		if len(o[0]) > 4 && o[0][3] == '_' {
			days, daysOpen = append(days, o), daysOpen || f.Availability[o[0]]
		} else {
			broad = append(broad, o)
		}
	}
	d := map[string]any{"Title": s.Title, "Scheme": s, "Form": f, "MayMentor": mayMentor, "Times": broad, "Days": days, "DaysOpen": daysOpen,
		"Preferences": []models.MeetingPreference{models.PreferInPerson, models.PreferOnline, models.PreferEither},
		"Editable":    s.Status == models.SchemeOpen, "MaxMentees": models.MaxMenteesPerMax}
	return d, s, nil
}

func (h *Handler) schemeApplyPage(c echo.Context) error {
	return showView(h, c, "mentoring_apply", h.schemeApplyView)
}

// schemeApplySubmit applies, or changes the member's application.
func (h *Handler) schemeApplySubmit(c echo.Context) error {
	d, s, err := h.schemeApplyView(c)
	if err != nil {
		return err
	}
	f, err := readApplicationForm(c)
	if err != nil {
		return err
	}
	again := func(problems map[string]string) error {
		d["Form"], d["Errors"] = f, problems
		return h.render(c, http.StatusUnprocessableEntity, "mentoring_apply", d)
	}
	in, err := f.input(s.Scheme)
	back := schemePagePath(s.ID)
	if err != nil {
		return h.formFailed(c, err, back, again)
	}
	ctx, u, now := c.Request().Context(), *currentUser(c), h.Clock.Now()
	msg := "Thank you: you have applied. We will e-mail you when pairs are introduced."
	if s.MyApplication != nil {
		_, err = models.UpdateApplication(ctx, h.Store, u, s.ID, func(cur *models.ApplicationInput) error {
			in.ExcludeUserIDs = cur.ExcludeUserIDs
			*cur = in
			return nil
		}, now)
		msg = "Your application is changed."
	} else {
		_, err = models.Apply(ctx, h.Store, u, s.ID, in, now)
	}
	if err != nil {
		return h.formFailed(c, err, back, again)
	}
	h.flash(c, "success", msg)
	return redirect(c, "/mentoring")
}

func (h *Handler) schemeWithdrawSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := models.WithdrawApplication(c.Request().Context(), h.Store, *currentUser(c), id); err != nil {
		return h.formFailed(c, err, schemePagePath(id), nil)
	}
	h.flash(c, "success", "Your application is withdrawn.")
	return redirect(c, "/mentoring")
}

func pairPagePath(id int64) string { return fmt.Sprintf("/mentoring/pairs/%d", id) }

// meetingView is a meeting as the pair's page shows it.
type meetingView struct {
	models.Meeting
	Started, Held, NotHeld bool
}

// meetingForm is a proposed meeting as typed.
type meetingForm struct {
	StartsAt, Minutes, Mode, Place string
}

// pairView is the pair's page: its meetings coming and past, the goals and
// the forms, for one of its two sides.
func (h *Handler) pairView(c echo.Context) (map[string]any, models.MyPair, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, models.MyPair{}, err
	}
	u := currentUser(c)
	p, err := models.PairOf(c.Request().Context(), h.Store, *u, id)
	if err != nil {
		return nil, p, err
	}
	now := h.Clock.Now()
	var coming, past []meetingView
	for _, m := range p.Meetings {
		v := meetingView{Meeting: m, Started: !m.StartsAt.After(now), Held: m.Held != nil && *m.Held, NotHeld: m.Held != nil && !*m.Held}
		if v.Started {
			past = append([]meetingView{v}, past...)
		} else {
			coming = append(coming, v)
		}
	}
	d := map[string]any{"Title": "Mentoring with " + p.Partner.Name, "Pair": p, "Me": u.ID, "Coming": coming, "Past": past,
		"Active": p.Status == models.PairActive, "Errors": map[string]string{},
		"Meeting": meetingForm{Minutes: "60", Mode: string(models.ModeInPerson)}, "Goals": p.Goals,
		"Modes": []models.Mode{models.ModeInPerson, models.ModeOnline}}
	return d, p, nil
}

func (h *Handler) pairPage(c echo.Context) error { return showView(h, c, "mentoring_pair", h.pairView) }

// pairFormFailed shows the pair's page again with the form's problems, or
// goes back to it with the reason.
func (h *Handler) pairFormFailed(c echo.Context, d map[string]any, id int64, err error, form string) error {
	return h.formFailed(c, err, pairPagePath(id), func(problems map[string]string) error {
		d["Errors"], d["Failed"] = problems, form
		return h.render(c, http.StatusUnprocessableEntity, "mentoring_pair", d)
	})
}

func (h *Handler) proposeMeetingSubmit(c echo.Context) error {
	d, p, err := h.pairView(c)
	if err != nil {
		return err
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	f := meetingForm{StartsAt: v.Get("starts_at"), Minutes: v.Get("minutes"), Mode: v.Get("mode"), Place: v.Get("place_or_url")}
	d["Meeting"] = f
	in := models.MeetingInput{Mode: models.Mode(f.Mode), PlaceOrURL: f.Place}
	problems := models.Problems{}
	if t, ok := h.localTime(f.StartsAt); ok {
		in.StartsAt = t
	} else {
		problems.Add("starts_at", "Give the day and time you meet.")
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.Minutes)); err == nil && n > 0 {
		in.Minutes = n
	} else {
		problems.Add("minutes", fmt.Sprintf("Give a length from %d to %d minutes.", models.MinMeetingMinutes, models.MaxMeetingMinutes))
	}
	if err := problems.Err(); err != nil {
		return h.pairFormFailed(c, d, p.ID, err, "meeting")
	}
	if _, err := models.ProposeMeeting(c.Request().Context(), h.Store, *currentUser(c), p.ID, in, h.Clock.Now()); err != nil {
		return h.pairFormFailed(c, d, p.ID, err, "meeting")
	}
	h.flash(c, "success", fmt.Sprintf("Meeting proposed: %s will be asked to accept it.", p.Partner.Name))
	return redirect(c, pairPagePath(p.ID))
}

func (h *Handler) goalsSubmit(c echo.Context) error {
	d, p, err := h.pairView(c)
	if err != nil {
		return err
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	d["Goals"] = v.Get("goals")
	if _, err := models.SetGoals(c.Request().Context(), h.Store, *currentUser(c), p.ID, v.Get("goals")); err != nil {
		return h.pairFormFailed(c, d, p.ID, err, "goals")
	}
	h.flash(c, "success", "Your goals are saved.")
	return redirect(c, pairPagePath(p.ID))
}

func (h *Handler) endRequestSubmit(c echo.Context) error {
	d, p, err := h.pairView(c)
	if err != nil {
		return err
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	d["Reason"] = v.Get("reason")
	if _, err := models.RequestEnd(c.Request().Context(), h.Store, *currentUser(c), p.ID, v.Get("reason"), h.Clock.Now()); err != nil {
		return h.pairFormFailed(c, d, p.ID, err, "end")
	}
	h.flash(c, "success", "Your request is with the committee; "+p.Partner.Name+" is not told. Someone from the committee will be in touch.")
	return redirect(c, pairPagePath(p.ID))
}

// meetingSubmit accepts a meeting (/accept) or marks it held or not
// (/held), then goes back to the pair's page.
func (h *Handler) meetingSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, u, now := c.Request().Context(), *currentUser(c), h.Clock.Now()
	m, err := models.MeetingByID(ctx, h.Store, u, id)
	if err != nil {
		return err
	}
	back := pairPagePath(m.PairID)
	if strings.HasSuffix(c.Path(), "/accept") {
		if _, err := models.AcceptMeeting(ctx, h.Store, u, id, now); err != nil {
			return h.formFailed(c, err, back, nil)
		}
		h.flash(c, "success", "Meeting agreed. Add it to your calendar from the meetings below.")
		return redirect(c, back)
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	var held *bool
	switch v.Get("held") {
	case "yes":
		held = new(bool)
		*held = true
	case "no":
		held = new(bool)
	}
	note := v.Get("note")
	if held == nil {
		return h.formFailed(c, &models.ValidationError{Fields: map[string]string{"held": "Say whether the meeting took place."}}, back, nil)
	}
	if _, err := models.MarkMeeting(ctx, h.Store, u, id, held, &note, now); err != nil {
		return h.formFailed(c, err, back, nil)
	}
	h.flash(c, "success", "Meeting recorded.")
	return redirect(c, back)
}

func questionnairePath(id int64, phase models.QuestionPhase) string {
	return fmt.Sprintf("/mentoring/schemes/%d/questionnaire/%s", id, phase)
}

// questionnaireView is a questionnaire as the member answers it.
func (h *Handler) questionnaireView(c echo.Context) (map[string]any, models.MyQuestionnaire, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, models.MyQuestionnaire{}, err
	}
	phase, err := phaseParam(c)
	if err != nil {
		return nil, models.MyQuestionnaire{}, err
	}
	ctx := c.Request().Context()
	q, err := models.QuestionnaireFor(ctx, h.Store, *currentUser(c), id, phase)
	if err != nil {
		return nil, q, err
	}
	s, err := models.SchemeByID(ctx, h.Store, id)
	if err != nil {
		return nil, q, err
	}
	title := "Before you start: " + s.Title
	if phase == models.PhaseAfter {
		title = "Looking back: " + s.Title
	}
	return map[string]any{"Title": title, "Scheme": s, "Q": q, "Answers": map[string]string{}}, q, nil
}

func (h *Handler) questionnairePage(c echo.Context) error {
	return showView(h, c, "mentoring_questionnaire", h.questionnaireView)
}

func (h *Handler) questionnaireSubmit(c echo.Context) error {
	d, q, err := h.questionnaireView(c)
	if err != nil {
		return err
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	answers, typed := map[string]any{}, map[string]string{}
	for _, it := range q.Items {
		a := strings.TrimSpace(v.Get("item_" + it.ID))
		typed[it.ID] = a
		if a != "" {
			answers[it.ID] = a
		}
	}
	d["Answers"] = typed
	if q.Role == "" {
		return models.ErrNotParticipant
	}
	problems := models.Problems{}
	for _, it := range q.Items {
		if it.Kind == models.ItemLikert && typed[it.ID] == "" {
			problems.Add("answers."+it.ID, "Choose from 1 (strongly disagree) to 5 (strongly agree).")
		}
	}
	err = problems.Err()
	if err == nil {
		err = models.SubmitAnswers(c.Request().Context(), h.Store, *currentUser(c), q.SchemeID, q.Phase, answers, h.Clock.Now())
	}
	if err != nil {
		return h.formFailed(c, err, questionnairePath(q.SchemeID, q.Phase), func(problems map[string]string) error {
			d["Errors"] = problems
			return h.render(c, http.StatusUnprocessableEntity, "mentoring_questionnaire", d)
		})
	}
	h.flash(c, "success", "Thank you: your answers are saved.")
	return redirect(c, "/mentoring")
}

// mentorCertificateSubmit issues the mentor's certificate for a scheme and
// shows its verification page.
func (h *Handler) mentorCertificateSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cert, err := models.IssueMentorCertificate(c.Request().Context(), h.Store, *currentUser(c), id, h.Config.Location, h.Clock.Now())
	if err != nil {
		return h.formFailed(c, err, "/mentoring", nil)
	}
	h.flash(c, "success", "Your mentoring certificate has been issued. Share this page or download the PDF for your portfolio.")
	return redirect(c, "/certificates/"+cert.Code)
}
