package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/internal/ical"
	"rounds/models"
)

// The JSON API of mentoring schemes (docs/API.md, "Mentoring"). Who may
// call each route is in routes.go; what depends on the scheme, the pair or
// the meeting (a side of the pair, the applicant) the use case decides, and
// anyone else is told the thing does not exist.

func (h *Handler) apiCreateScheme(c echo.Context) error {
	var in models.SchemeInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	s, err := models.CreateScheme(c.Request().Context(), h.Store, *currentUser(c), in, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"scheme": s})
}

func (h *Handler) apiUpdateScheme(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in models.SchemeInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	s, err := models.UpdateScheme(c.Request().Context(), h.Store, *currentUser(c), id, in, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"scheme": s})
}

func (h *Handler) apiOpenScheme(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	s, err := models.OpenScheme(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"scheme": s})
}

func (h *Handler) apiListSchemes(c echo.Context) error {
	list, err := models.ListSchemes(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"schemes": list})
}

func (h *Handler) apiGetScheme(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	s, err := models.SchemeForMember(c.Request().Context(), h.Store, *currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"scheme": s})
}

func (h *Handler) apiSchemeApplications(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	apps, err := models.SchemeApplications(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"applications": apps})
}

func (h *Handler) apiInviteMentors(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Emails []string `json:"emails"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	invs, err := models.InviteMentors(c.Request().Context(), h.Store, *currentUser(c), id, in.Emails, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"invitations": invs})
}

func (h *Handler) apiSchemeInvitations(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := models.SchemeByID(c.Request().Context(), h.Store, id); err != nil {
		return err
	}
	invs, err := models.SchemeInvitations(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	if invs == nil {
		invs = []models.Invitation{}
	}
	return c.JSON(http.StatusOK, map[string]any{"invitations": invs})
}

// apiAcceptInvitation takes up an invitation to mentor: the logged-in
// member's account, or a new one made from {name, password,
// year_of_study} for the invited address.
func (h *Handler) apiAcceptInvitation(c echo.Context) error {
	var in struct {
		Token       string `json:"token"`
		Name        string `json:"name"`
		Password    string `json:"password"`
		YearOfStudy *int   `json:"year_of_study"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	acc := models.InvitationAccount{Member: currentUser(c), Name: strings.TrimSpace(in.Name), Password: in.Password, Year: in.YearOfStudy}
	u, s, err := models.AcceptInvitation(c.Request().Context(), h.Store, in.Token, acc, h.Clock.Now())
	if err != nil {
		return err
	}
	status := http.StatusOK
	if acc.Member == nil {
		status = http.StatusCreated
	}
	return c.JSON(status, map[string]any{"user": u, "scheme": map[string]any{"id": s.ID, "title": s.Title}})
}

func (h *Handler) apiApply(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in models.ApplicationInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, err := models.Apply(c.Request().Context(), h.Store, *currentUser(c), id, in, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"application": a})
}

func (h *Handler) apiMyApplication(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, err := models.MyApplication(c.Request().Context(), h.Store, *currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"application": a})
}

// apiUpdateApplication changes the fields the body names and keeps the
// others.
func (h *Handler) apiUpdateApplication(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	a, err := models.UpdateApplication(c.Request().Context(), h.Store, *currentUser(c), id, func(in *models.ApplicationInput) error {
		if err := in.MergeJSON(raw); err != nil {
			return &errMalformed{"The request body must be a JSON object of application fields."}
		}
		return nil
	}, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"application": a})
}

func (h *Handler) apiWithdrawApplication(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := models.WithdrawApplication(c.Request().Context(), h.Store, *currentUser(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiRunMatching(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Weights *models.Weights `json:"weights"`
	}
	if c.Request().ContentLength != 0 { // the body is optional
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	p, err := models.RunMatching(c.Request().Context(), h.Store, *currentUser(c), id, in.Weights, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"proposal": p})
}

func (h *Handler) apiSchemePairs(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := models.SchemeProposal(ctx, h.Store, id)
	if err != nil {
		return err
	}
	pairs, err := models.SchemePairs(ctx, h.Store, id, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"proposal": p, "pairs": pairs})
}

func (h *Handler) apiSetPairs(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Pairs []models.PairEdit `json:"pairs"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := models.SetPairs(c.Request().Context(), h.Store, *currentUser(c), id, in.Pairs, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"proposal": p})
}

func (h *Handler) apiPublishPairs(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	res, err := models.PublishPairs(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return err
	}
	s, err := models.SchemeByID(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"scheme": s, "published": res})
}

func (h *Handler) apiEndPair(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := models.EndPair(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"pair": p})
}

func (h *Handler) apiMyMentoring(c echo.Context) error {
	pairs, err := models.MyMentoring(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"pairs": pairs})
}

func (h *Handler) apiGetPair(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := models.PairOf(c.Request().Context(), h.Store, *currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"pair": p})
}

func (h *Handler) apiSetGoals(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Goals string `json:"goals"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := models.SetGoals(ctx, h.Store, *currentUser(c), id, in.Goals); err != nil {
		return err
	}
	p, err := models.PairOf(ctx, h.Store, *currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"pair": p})
}

func (h *Handler) apiProposeMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in models.MeetingInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := models.ProposeMeeting(c.Request().Context(), h.Store, *currentUser(c), id, in, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"meeting": m})
}

// meetingICSPath is where either side of a pair downloads an agreed
// meeting's calendar entry.
func meetingICSPath(id int64) string { return fmt.Sprintf("/api/v1/meetings/%d.ics", id) }

func (h *Handler) apiAcceptMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := models.AcceptMeeting(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"meeting": m, "ics_url": meetingICSPath(m.ID)})
}

func (h *Handler) apiMarkMeeting(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Held *bool   `json:"held"`
		Note *string `json:"note"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := models.MarkMeeting(c.Request().Context(), h.Store, *currentUser(c), id, in.Held, in.Note, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"meeting": m})
}

// apiMeetingICS is an agreed meeting as a calendar file, for either side.
func (h *Handler) apiMeetingICS(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := models.MeetingFactsFor(c.Request().Context(), h.Store, *currentUser(c), id)
	if err != nil {
		return err
	}
	if f.Meeting.Status != models.MeetingAccepted {
		return models.ErrMeetingNotAccepted
	}
	ev := models.MeetingEvent(f, h.Config.BaseURL, h.Clock.Now())
	return h.writeCalendar(c, &ical.Calendar{Method: ical.MethodPublish, Events: []ical.Event{ev}}, fmt.Sprintf("meeting-%d.ics", id))
}

func (h *Handler) apiRequestEnd(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := models.RequestEnd(c.Request().Context(), h.Store, *currentUser(c), id, in.Reason, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"end_request": r})
}

func (h *Handler) apiQuestionnaires(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	q, err := models.SchemeQuestionnaires(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}

func (h *Handler) apiSetQuestionnaires(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Before *struct {
			Items []models.QuestItem `json:"items"`
		} `json:"before"`
		After *struct {
			Items []models.QuestItem `json:"items"`
		} `json:"after"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p := models.Problems{}
	if in.Before == nil {
		p.Add("before", "Send the before questionnaire's items, even if unchanged.")
	}
	if in.After == nil {
		p.Add("after", "Send the after questionnaire's items, even if unchanged.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	var q models.Questionnaires
	q.Before.Items, q.After.Items = in.Before.Items, in.After.Items
	out, err := models.SetQuestionnaires(c.Request().Context(), h.Store, *currentUser(c), id, q, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func phaseParam(c echo.Context) (models.QuestionPhase, error) {
	phase := models.QuestionPhase(c.Param("phase"))
	if !phase.Valid() {
		return "", models.ErrNotFound
	}
	return phase, nil
}

// apiMyQuestionnaire is a phase's questionnaire as the caller answers it:
// the items asked of their side, and whether they have answered.
func (h *Handler) apiMyQuestionnaire(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	phase, err := phaseParam(c)
	if err != nil {
		return err
	}
	q, err := models.QuestionnaireFor(c.Request().Context(), h.Store, *currentUser(c), id, phase)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}

func (h *Handler) apiSubmitAnswers(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	phase, err := phaseParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Answers map[string]any `json:"answers"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := models.SubmitAnswers(c.Request().Context(), h.Store, *currentUser(c), id, phase, in.Answers, h.Clock.Now()); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"scheme_id": id, "phase": phase, "answered": true})
}

func (h *Handler) apiEvaluation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ev, err := models.SchemeEvaluation(c.Request().Context(), h.Store, id, h.Config.FeedbackMinResponses)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ev)
}

func (h *Handler) apiEvaluationCSV(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	scheme, err := models.SchemeByID(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	if err := models.RecordDownload(c.Request().Context(), h.Store, *currentUser(c), "evaluation answers", scheme.Title, h.Clock.Now()); err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="scheme-%d-evaluation.csv"`, id))
	c.Response().WriteHeader(http.StatusOK)
	return models.WriteEvaluationCSV(c.Request().Context(), h.Store, id, c.Response())
}

// apiMentorCertificate issues the caller's mentoring certificate for
// {scheme_id}.
func (h *Handler) apiMentorCertificate(c echo.Context) error {
	var in struct {
		SchemeID int64 `json:"scheme_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.SchemeID <= 0 {
		return &models.ValidationError{Fields: map[string]string{"scheme_id": "Name the scheme you mentored in."}}
	}
	cert, err := models.IssueMentorCertificate(c.Request().Context(), h.Store, *currentUser(c), in.SchemeID, h.Config.Location, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"certificate": h.certificateJSON(cert)})
}

// apiSchemeFigures is a scheme's figures for the dashboard.
func (h *Handler) apiSchemeFigures(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := models.SchemeFigures(c.Request().Context(), h.Store, id, h.Config.Location, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"figures": f})
}
