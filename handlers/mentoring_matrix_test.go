package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// mentoringMatrix is what the authorisation matrix's society holds of
// mentoring: an open scheme to which the student applied to be mentored
// and "teacher of this session" to mentor, and a matched scheme in which
// the two are a pair, with a meeting the student proposed and one they
// logged after the fact, which the teacher accepted.
type mentoringMatrix struct {
	open, matched    int64
	pair             int64
	proposed, agreed int64
}

func newMentoringMatrix(t *testing.T, f *matrixFixture) mentoringMatrix {
	t.Helper()
	a := f.a
	ctx := t.Context()
	now := a.clock.Now()
	committee, student := mustUser(t, a, "chair@example.ac.uk"), f.student
	teacher := mustUser(t, a, "teacher@example.ac.uk")
	var m mentoringMatrix
	mk := func(title string) int64 {
		opens, closes, match := now.Add(-24*time.Hour), now.Add(7*24*time.Hour), now.Add(8*24*time.Hour)
		in := models.SchemeInput{Title: &title, MentorRule: &models.MentorRule{Roles: []models.Role{models.RoleTeacher}},
			MenteeYears: &[]int{2}, Interests: &[]string{"General practice"}, ApplicationsOpen: &opens, ApplicationsClose: &closes,
			MatchAt: &match, StartsOn: ptrTo(now.AddDate(0, 0, 10).Format(time.DateOnly)), EndsOn: ptrTo(now.AddDate(0, 6, 0).Format(time.DateOnly))}
		s, err := models.CreateScheme(ctx, a.db, committee, in, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.OpenScheme(ctx, a.db, committee, s.ID, now); err != nil {
			t.Fatal(err)
		}
		one := 1
		if _, err := models.Apply(ctx, a.db, student, s.ID, models.ApplicationInput{Role: models.RoleMentee}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Apply(ctx, a.db, teacher, s.ID, models.ApplicationInput{Role: models.RoleMentor, MaxMentees: &one}, now); err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	m.open, m.matched = mk("Transition to medical school"), mk("GP careers")
	if _, err := models.RunMatching(ctx, a.db, committee, m.matched, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.PublishPairs(ctx, a.db, committee, m.matched, now); err != nil {
		t.Fatal(err)
	}
	pairs, err := models.MyMentoring(ctx, a.db, student)
	if err != nil || len(pairs) != 1 {
		t.Fatalf("pair: %v %v", pairs, err)
	}
	m.pair = pairs[0].ID
	meet := func(at time.Time) int64 {
		mt, err := models.ProposeMeeting(ctx, a.db, student, m.pair, models.MeetingInput{StartsAt: at, Minutes: 30,
			Mode: models.ModeInPerson, PlaceOrURL: "Library café"}, now)
		if err != nil {
			t.Fatal(err)
		}
		return mt.ID
	}
	m.proposed, m.agreed = meet(now.Add(48*time.Hour)), meet(now.Add(-2*time.Hour))
	if _, err := models.AcceptMeeting(ctx, a.db, teacher, m.agreed, now); err != nil {
		t.Fatal(err)
	}
	return m
}

func ptrTo[T any](v T) *T { return &v }

// path fills in a mentoring route's parameters, or says it is none.
func (m mentoringMatrix) path(route string) (string, bool) {
	if p, ok := m.pagePath(route); ok {
		return p, true
	}
	var id int64
	switch {
	case strings.HasPrefix(route, "/api/v1/schemes/:id/questionnaires/:phase"):
		return strings.NewReplacer(":id", fmt.Sprint(m.matched), ":phase", "before").Replace(route), true
	case strings.HasPrefix(route, "/api/v1/schemes/:id"):
		id = m.open
	case strings.HasPrefix(route, "/api/v1/pairs/:id"):
		id = m.pair
	case strings.HasPrefix(route, "/api/v1/meetings/:id/accept"):
		id = m.proposed
	case route == "/api/v1/meetings/:id": // the calendar file
		return fmt.Sprintf("/api/v1/meetings/%d.ics", m.agreed), true
	case strings.HasPrefix(route, "/api/v1/meetings/:id"):
		id = m.agreed
	default:
		return "", false
	}
	return strings.Replace(route, ":id", fmt.Sprint(id), 1), true
}

// Who may call the mentoring routes, by the letters of matrixClasses.
var mentoringMatrixClasses = map[string]access{
	"pair":       {"LANNAN", ""}, // either side of the pair: the student and "teacher of this session"
	"applicant":  {"LANNAN", ""}, // the student and the teacher applied to the open scheme
	"mentee":     {"LANNFN", ""}, // the mentee writes the goals; the mentor is refused
	"other side": {"LFNNAN", ""}, // the student proposed the meeting: the teacher accepts it
	"answering":  {"LANNAF", ""}, // the pair answers; committee is told it takes no part (403)
	"reading":    {"LANNAA", ""}, // the pair reads its items; committee all of them
}

var mentoringRoutes = map[string]string{
	"POST /api/v1/invitations/accept": "public",
	"GET /api/v1/schemes":             "member", "GET /api/v1/schemes/:id": "member", "POST /api/v1/schemes/:id/applications": "member",
	"GET /api/v1/me/mentoring":                "member",
	"POST /api/v1/me/certificates/mentoring":  "member",
	"GET /api/v1/schemes/:id/applications/me": "applicant", "PATCH /api/v1/schemes/:id/applications/me": "applicant",
	"DELETE /api/v1/schemes/:id/applications/me":    "applicant",
	"GET /api/v1/schemes/:id/questionnaires/:phase": "reading", "POST /api/v1/schemes/:id/questionnaires/:phase/answers": "answering",
	"GET /api/v1/pairs/:id": "pair", "PUT /api/v1/pairs/:id/goals": "mentee", "POST /api/v1/pairs/:id/meetings": "pair",
	"POST /api/v1/pairs/:id/end-request": "pair", "POST /api/v1/meetings/:id/accept": "other side",
	"POST /api/v1/meetings/:id/held": "pair", "GET /api/v1/meetings/:id": "pair",
	"POST /api/v1/schemes": "committee", "PATCH /api/v1/schemes/:id": "committee", "POST /api/v1/schemes/:id/open": "committee",
	"GET /api/v1/schemes/:id/applications": "committee", "POST /api/v1/schemes/:id/invitations": "committee",
	"GET /api/v1/schemes/:id/invitations": "committee", "POST /api/v1/schemes/:id/match": "committee",
	"GET /api/v1/schemes/:id/pairs": "committee", "PUT /api/v1/schemes/:id/pairs": "committee",
	"POST /api/v1/schemes/:id/publish": "committee", "POST /api/v1/pairs/:id/end": "committee",
	"GET /api/v1/schemes/:id/questionnaires": "committee", "PUT /api/v1/schemes/:id/questionnaires": "committee",
	"GET /api/v1/schemes/:id/evaluation": "committee", "GET /api/v1/schemes/:id/evaluation.csv": "committee",
	"GET /api/v1/schemes/:id/figures": "committee",
}

// What allowed callers get from the mentoring routes, sent {}.
var mentoringMatrixAnswers = map[string][]string{
	"POST /api/v1/invitations/accept":        {"422"}, // no token
	"POST /api/v1/me/certificates/mentoring": {"422"}, // which scheme?
	// The student and the teacher have applied; anyone else sends no role.
	"POST /api/v1/schemes/:id/applications":                  {"", "409", "422", "422", "409", "422"},
	"PATCH /api/v1/schemes/:id/applications/me":              {"200"},
	"POST /api/v1/schemes/:id/questionnaires/:phase/answers": {"422"}, // no answer
	"PUT /api/v1/pairs/:id/goals":                            {"200"},
	"POST /api/v1/pairs/:id/meetings":                        {"422"},
	"POST /api/v1/pairs/:id/end-request":                     {"422"}, // no reason
	"POST /api/v1/meetings/:id/accept":                       {"200"},
	"POST /api/v1/meetings/:id/held":                         {"422"}, // held true or false?
	"POST /api/v1/schemes":                                   {"422"},
	"PATCH /api/v1/schemes/:id":                              {"200"},
	"POST /api/v1/schemes/:id/open":                          {"200"},
	"POST /api/v1/schemes/:id/invitations":                   {"422"},
	"POST /api/v1/schemes/:id/match":                         {"200"},
	"PUT /api/v1/schemes/:id/pairs":                          {"200"},
	"POST /api/v1/schemes/:id/publish":                       {"200"},
	"POST /api/v1/pairs/:id/end":                             {"200"},
	"PUT /api/v1/schemes/:id/questionnaires":                 {"422"},
}

func init() {
	for k, v := range mentoringMatrixClasses {
		matrixClasses[k] = v
	}
	for k, v := range mentoringRoutes {
		matrix[k] = v
	}
	for k, v := range mentoringMatrixAnswers {
		matrixAnswers[k] = v
	}
}
