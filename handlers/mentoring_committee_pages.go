package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// Committee's mentoring pages: the schemes, setting one up, its
// applicants and invitations, the matcher's proposal to review, edit and
// publish, the pairs and their requests, the questionnaires and the
// evaluation. The use cases check every rule, as for the API.

func committeeSchemePath(id int64) string { return fmt.Sprintf("/committee/mentoring/%d", id) }

func (h *Handler) committeeSchemesPage(c echo.Context) error {
	list, err := models.ListSchemes(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "committee_schemes", map[string]any{"Title": "Mentoring schemes", "Schemes": list})
}

// schemeForm is a scheme as typed in its form.
type schemeForm struct {
	Title, Purpose                   string
	Roles                            map[string]bool
	MinYear                          string
	Invited                          bool
	Years                            map[int]bool
	Interests, Questions             string
	Open, Close, MatchAt             string
	StartsOn, EndsOn                 string
	Every, MaxMentees                string
	WInterests, WMode, WAvailability string
}

func (h *Handler) formFromScheme(s models.Scheme) schemeForm {
	loc := h.Config.Location
	f := schemeForm{Title: s.Title, Purpose: s.Purpose, Roles: map[string]bool{}, Invited: s.MentorInvited, Years: map[int]bool{},
		Interests: strings.Join(s.Interests.V, "\n"), Questions: strings.Join(s.Questions.V, "\n"),
		StartsOn: s.StartsOn, EndsOn: s.EndsOn, Every: strconv.Itoa(s.MeetEveryDays), MaxMentees: strconv.Itoa(s.MaxMenteesDefault),
		WInterests: strconv.Itoa(s.Weights.V.Interests), WMode: strconv.Itoa(s.Weights.V.Mode), WAvailability: strconv.Itoa(s.Weights.V.Availability)}
	if !s.ApplicationsOpen.IsZero() {
		f.Open = s.ApplicationsOpen.In(loc).Format("2006-01-02T15:04")
		f.Close = s.ApplicationsClose.In(loc).Format("2006-01-02T15:04")
		f.MatchAt = s.MatchAt.In(loc).Format("2006-01-02T15:04")
	}
	for _, r := range s.MentorRoles.V {
		f.Roles[string(r)] = true
	}
	if s.MentorMinYear != nil {
		f.MinYear = strconv.Itoa(*s.MentorMinYear)
	}
	for _, y := range s.MenteeYears.Years() {
		f.Years[y] = true
	}
	return f
}

func readSchemeForm(c echo.Context) (schemeForm, error) {
	v, err := formValues(c)
	if err != nil {
		return schemeForm{}, err
	}
	f := schemeForm{Title: v.Get("title"), Purpose: v.Get("purpose"), Roles: map[string]bool{}, MinYear: v.Get("min_year"),
		Invited: v.Get("invited") == "yes", Years: map[int]bool{}, Interests: v.Get("interests"), Questions: v.Get("questions"),
		Open: v.Get("applications_open"), Close: v.Get("applications_close"), MatchAt: v.Get("match_at"),
		StartsOn: v.Get("starts_on"), EndsOn: v.Get("ends_on"), Every: v.Get("meet_every_days"), MaxMentees: v.Get("max_mentees_default"),
		WInterests: v.Get("w_interests"), WMode: v.Get("w_mode"), WAvailability: v.Get("w_availability")}
	for _, r := range v["roles"] {
		f.Roles[r] = true
	}
	for _, y := range v["mentee_years"] {
		if n, err := strconv.Atoi(y); err == nil {
			f.Years[n] = true
		}
	}
	return f, nil
}

// input is the form as the use case reads it: a time or number that cannot
// be read is refused here, beside its field, and everything else there.
func (h *Handler) schemeInput(f schemeForm) (models.SchemeInput, error) {
	p := models.Problems{}
	title, purpose := f.Title, f.Purpose
	in := models.SchemeInput{Title: &title, Purpose: &purpose}
	rule := models.MentorRule{Roles: []models.Role{}, Invited: f.Invited}
	for _, r := range models.Roles {
		if f.Roles[string(r)] {
			rule.Roles = append(rule.Roles, r)
		}
	}
	if f.MinYear != "" {
		n, err := strconv.Atoi(f.MinYear)
		if err != nil {
			p.Add("mentor_rule.min_year", "Give a year of study from 1 to 6, or none.")
		}
		rule.MinYear = &n
	}
	in.MentorRule = &rule
	years := []int{}
	for y := 1; y <= 6; y++ {
		if f.Years[y] {
			years = append(years, y)
		}
	}
	in.MenteeYears = &years
	interests, questions := lines(f.Interests), lines(f.Questions)
	in.Interests, in.Questions = &interests, &questions
	for field, s := range map[string]string{"applications_open": f.Open, "applications_close": f.Close, "match_at": f.MatchAt} {
		t, ok := h.localTime(s)
		if !ok {
			p.Add(field, "Give a day and a time.")
			continue
		}
		switch field {
		case "applications_open":
			in.ApplicationsOpen = &t
		case "applications_close":
			in.ApplicationsClose = &t
		default:
			in.MatchAt = &t
		}
	}
	starts, ends := strings.TrimSpace(f.StartsOn), strings.TrimSpace(f.EndsOn)
	in.StartsOn, in.EndsOn = &starts, &ends
	number := func(field, s, msg string) *int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			p.Add(field, msg)
			return nil
		}
		return &n
	}
	in.MeetEveryDays = number("meet_every_days", f.Every, "Give a number of days.")
	in.MaxMenteesDefault = number("max_mentees_default", f.MaxMentees, "Give a number of mentees.")
	wi := number("weights.interests", f.WInterests, fmt.Sprintf("Give a weight from 0 to %d.", models.MaxWeight))
	wm := number("weights.mode", f.WMode, fmt.Sprintf("Give a weight from 0 to %d.", models.MaxWeight))
	wa := number("weights.availability", f.WAvailability, fmt.Sprintf("Give a weight from 0 to %d.", models.MaxWeight))
	if wi != nil && wm != nil && wa != nil {
		in.Weights = &models.Weights{Interests: *wi, Mode: *wm, Availability: *wa}
	}
	return in, p.Err()
}

func (h *Handler) schemeFormView(f schemeForm, s *models.Scheme) map[string]any {
	d := map[string]any{"Title": "New mentoring scheme", "Form": f, "Roles": models.Roles, "MaxWeight": models.MaxWeight}
	if s != nil {
		d["Title"], d["Scheme"] = "Change "+s.Title, *s
	}
	return d
}

func (h *Handler) newSchemePage(c echo.Context) error {
	w := models.DefaultWeights
	f := schemeForm{Roles: map[string]bool{}, Years: map[int]bool{}, Every: "28", MaxMentees: "2",
		WInterests: strconv.Itoa(w.Interests), WMode: strconv.Itoa(w.Mode), WAvailability: strconv.Itoa(w.Availability)}
	return h.render(c, http.StatusOK, "committee_scheme_form", h.schemeFormView(f, nil))
}

func (h *Handler) editSchemePage(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "committee_scheme_form", h.schemeFormView(h.formFromScheme(s), &s))
}

// schemeSubmit creates a scheme (no :id) or changes one.
func (h *Handler) schemeSubmit(c echo.Context) error {
	var cur *models.Scheme
	if c.Param("id") != "" {
		s, err := h.committeeScheme(c)
		if err != nil {
			return err
		}
		cur = &s
	}
	f, err := readSchemeForm(c)
	if err != nil {
		return err
	}
	d := h.schemeFormView(f, cur)
	again := func(problems map[string]string) error {
		d["Errors"] = problems
		return h.render(c, http.StatusUnprocessableEntity, "committee_scheme_form", d)
	}
	back := "/committee/mentoring/new"
	in, err := h.schemeInput(f)
	if err == nil {
		ctx, u, now := c.Request().Context(), *currentUser(c), h.Clock.Now()
		var s models.Scheme
		if cur == nil {
			s, err = models.CreateScheme(ctx, h.Store, u, in, now)
		} else {
			back = committeeSchemePath(cur.ID) + "/edit"
			s, err = models.UpdateScheme(ctx, h.Store, u, cur.ID, in, now)
		}
		if err == nil {
			h.flash(c, "success", "The scheme is saved.")
			return redirect(c, committeeSchemePath(s.ID))
		}
	}
	return h.formFailed(c, err, back, again)
}

// committeeScheme loads the scheme of the address.
func (h *Handler) committeeScheme(c echo.Context) (models.Scheme, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return models.Scheme{}, err
	}
	return models.SchemeByID(c.Request().Context(), h.Store, id)
}

// proposalRow is one mentee of the proposal: their mentor, if any, and
// the choices of a hand edit.
type proposalRow struct {
	Mentee      models.ApplicationView
	Pair        *models.Pair
	MentorName  string
	Introduced  bool
	EndRequests []models.EndRequest
	View        *models.SchemePairView
}

// schemePage is a scheme for committee: what to do next, its applicants,
// invitations, the proposal and the pairs.
func (h *Handler) schemePage(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	apps, err := models.SchemeApplications(ctx, h.Store, s.ID)
	if err != nil {
		return err
	}
	invs, err := models.SchemeInvitations(ctx, h.Store, s.ID)
	if err != nil {
		return err
	}
	prop, err := models.SchemeProposal(ctx, h.Store, s.ID)
	if err != nil {
		return err
	}
	views, err := models.SchemePairs(ctx, h.Store, s.ID, h.Clock.Now())
	if err != nil {
		return err
	}
	names := map[int64]string{}
	var mentors, mentees []models.ApplicationView
	for _, a := range apps {
		names[a.UserID] = a.Name
		if a.Role == models.RoleMentor {
			mentors = append(mentors, a)
		} else {
			mentees = append(mentees, a)
		}
	}
	byMentee := map[int64]int{}
	for i, p := range prop.Pairs {
		byMentee[p.MenteeID] = i
	}
	viewOf := map[int64]*models.SchemePairView{}
	for i := range views {
		viewOf[views[i].ID] = &views[i]
	}
	rows := make([]proposalRow, 0, len(mentees))
	proposed, requests := 0, 0
	for _, m := range mentees {
		r := proposalRow{Mentee: m}
		if i, ok := byMentee[m.UserID]; ok {
			p := prop.Pairs[i]
			r.Pair, r.MentorName, r.Introduced, r.View = &p, names[p.MentorID], p.Status != models.PairProposed, viewOf[p.ID]
			if p.Status == models.PairProposed {
				proposed++
			}
			if r.View != nil {
				requests += len(r.View.EndRequests)
			}
		}
		rows = append(rows, r)
	}
	d := map[string]any{"Title": s.Title, "Scheme": s, "Applications": apps, "Mentors": mentors, "Invitations": invs,
		"Proposal": prop, "Rows": rows, "Proposed": proposed, "Requests": requests, "Weights": prop.Weights, "MaxWeight": models.MaxWeight,
		"CanMatch": slices.Contains([]models.SchemeStatus{models.SchemeOpen, models.SchemeMatched, models.SchemeRunning}, s.Status)}
	return h.render(c, http.StatusOK, "committee_scheme", d)
}

func (h *Handler) openSchemeSubmit(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	if _, err := models.OpenScheme(c.Request().Context(), h.Store, *currentUser(c), s.ID, h.Clock.Now()); err != nil {
		return h.formFailed(c, err, committeeSchemePath(s.ID), nil)
	}
	h.flash(c, "success", "The scheme is open: members who may apply see it under Mentoring.")
	return redirect(c, committeeSchemePath(s.ID))
}

func (h *Handler) inviteMentorsSubmit(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	emails := strings.FieldsFunc(v.Get("emails"), func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' })
	invs, err := models.InviteMentors(c.Request().Context(), h.Store, *currentUser(c), s.ID, emails, h.Clock.Now())
	if err != nil {
		return h.formFailed(c, err, committeeSchemePath(s.ID)+"#invite", nil)
	}
	h.flash(c, "success", plural(len(invs), "invitation")+" sent.")
	return redirect(c, committeeSchemePath(s.ID)+"#invite")
}

// matchSubmit runs the matcher with the weights of the form; locked pairs
// and introduced ones stay.
func (h *Handler) matchSubmit(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	back := committeeSchemePath(s.ID) + "#proposal"
	var w *models.Weights
	if v.Has("w_interests") {
		nums := [3]int{}
		for i, k := range []string{"w_interests", "w_mode", "w_availability"} {
			n, err := strconv.Atoi(strings.TrimSpace(v.Get(k)))
			if err != nil {
				return h.formFailed(c, &models.ValidationError{Fields: map[string]string{k: fmt.Sprintf("Give each weight from 0 to %d.", models.MaxWeight)}}, back, nil)
			}
			nums[i] = n
		}
		w = &models.Weights{Interests: nums[0], Mode: nums[1], Availability: nums[2]}
	}
	p, err := models.RunMatching(c.Request().Context(), h.Store, *currentUser(c), s.ID, w, h.Clock.Now())
	if err != nil {
		return h.formFailed(c, err, back, nil)
	}
	h.flash(c, "success", fmt.Sprintf("Matched %d of %d mentees. Check the pairs, then publish.", p.MatchedMentees, p.Mentees))
	return redirect(c, back)
}

// pairsSubmit saves committee's hand edits: each mentee's mentor (none
// leaves them unmatched) and whether the pair is locked against re-runs.
func (h *Handler) pairsSubmit(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	v, err := formValues(c)
	if err != nil {
		return err
	}
	back := committeeSchemePath(s.ID) + "#proposal"
	edits := []models.PairEdit{}
	for _, raw := range v["mentee"] {
		mentee, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return &errMalformed{"The form could not be read."}
		}
		mentor := v.Get("mentor_" + raw)
		if mentor == "" {
			continue
		}
		mid, err := strconv.ParseInt(mentor, 10, 64)
		if err != nil {
			return &errMalformed{"The form could not be read."}
		}
		edits = append(edits, models.PairEdit{MentorID: mid, MenteeID: mentee, Locked: v.Get("lock_"+raw) == "yes"})
	}
	if _, err := models.SetPairs(c.Request().Context(), h.Store, *currentUser(c), s.ID, edits, h.Clock.Now()); err != nil {
		return h.formFailed(c, err, back, nil)
	}
	h.flash(c, "success", "The pairs are saved.")
	return redirect(c, back)
}

// publishPage asks committee to confirm the introductions it is about to
// send.
func (h *Handler) publishPage(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	p, err := models.SchemeProposal(c.Request().Context(), h.Store, s.ID)
	if err != nil {
		return err
	}
	proposed := 0
	for _, pr := range p.Pairs {
		if pr.Status == models.PairProposed {
			proposed++
		}
	}
	return h.render(c, http.StatusOK, "committee_scheme_publish", map[string]any{"Title": "Publish the pairs of " + s.Title,
		"Scheme": s, "Proposed": proposed, "Unmatched": len(p.Unmatched)})
}

func (h *Handler) publishSubmit(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	res, err := models.PublishPairs(c.Request().Context(), h.Store, *currentUser(c), s.ID, h.Clock.Now())
	if err != nil {
		return h.formFailed(c, err, committeeSchemePath(s.ID), nil)
	}
	h.flash(c, "success", fmt.Sprintf("Pairs published: %s introduced to their pair by e-mail, %d told there was no pair for them.",
		plural(res.Introduced, "member"), res.Unmatched))
	return redirect(c, committeeSchemePath(s.ID))
}

// endPairSubmit ends one of the scheme's pairs.
func (h *Handler) endPairSubmit(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pair")
	if err != nil {
		return err
	}
	back := committeeSchemePath(s.ID) + "#pairs"
	views, err := models.SchemePairs(c.Request().Context(), h.Store, s.ID, h.Clock.Now())
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(views, func(v models.SchemePairView) bool { return v.ID == pid }) {
		return models.ErrNotFound
	}
	if _, err := models.EndPair(c.Request().Context(), h.Store, *currentUser(c), pid, h.Clock.Now()); err != nil {
		return h.formFailed(c, err, back, nil)
	}
	h.flash(c, "success", "The pair is ended.")
	return redirect(c, back)
}

// evaluationPage is what a scheme's questionnaires show, with the export.
func (h *Handler) evaluationPage(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	ev, err := models.SchemeEvaluation(c.Request().Context(), h.Store, s.ID, h.Config.FeedbackMinResponses)
	if err != nil {
		return err
	}
	rows := make([]evaluationRow, 0, len(ev.Items))
	for _, it := range ev.Items {
		r := evaluationRow{Item: it, Shown: it.Wilcoxon != nil}
		if r.Shown {
			r.Before, r.After = figure(it.MedianBefore, "%.1f"), figure(it.MedianAfter, "%.1f")
			if it.ImprovedShare != nil {
				r.Improved = fmt.Sprintf("%.0f%%", *it.ImprovedShare*100)
			}
			r.W, r.P, r.R = fmt.Sprintf("%g", it.Wilcoxon.W), pValue(it.Wilcoxon.P), fmt.Sprintf("%.2f", it.Wilcoxon.R)
		}
		rows = append(rows, r)
	}
	return h.render(c, http.StatusOK, "committee_scheme_evaluation", map[string]any{"Title": "Evaluation of " + s.Title,
		"Scheme": s, "E": ev, "Rows": rows})
}

// evaluationRow is one item of the evaluation with its figures in words.
type evaluationRow struct {
	Item                             models.EvaluationItem
	Shown                            bool
	Before, After, Improved, W, P, R string
}

func figure(f *float64, format string) string {
	if f == nil {
		return "–"
	}
	return fmt.Sprintf(format, *f)
}

// pValue writes a p-value as papers do: below 0.001 as "< 0.001".
func pValue(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return fmt.Sprintf("%.3f", p)
}
