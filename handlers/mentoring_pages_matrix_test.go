package handlers_test

import (
	"fmt"
	"strings"
)

// pagePath fills in a mentoring page's parameters, or says it is none: a
// member's scheme page and committee's are the open scheme's, the
// questionnaire and a pair's end the matched scheme's.
func (m mentoringMatrix) pagePath(route string) (string, bool) {
	r := strings.NewReplacer(":phase", "before", ":pair", fmt.Sprint(m.pair))
	var id int64
	switch {
	case strings.HasPrefix(route, "/mentoring/schemes/:id/questionnaire"), strings.HasSuffix(route, "/pairs/:pair/end"):
		id = m.matched
	case strings.HasPrefix(route, "/mentoring/schemes/:id"), strings.HasPrefix(route, "/committee/mentoring/:id"):
		id = m.open
	case strings.HasPrefix(route, "/mentoring/pairs/:id"):
		id = m.pair
	case route == "/mentoring/meetings/:id/accept":
		id = m.proposed
	case strings.HasPrefix(route, "/mentoring/meetings/:id"):
		id = m.agreed
	default:
		return "", false
	}
	return r.Replace(strings.Replace(route, ":id", fmt.Sprint(id), 1)), true
}

// Who may call the mentoring pages, by the classes of mentoringMatrixClasses.
var mentoringPageRoutes = map[string]string{
	"GET /mentoring/join": "public", "POST /mentoring/join": "public",
	"GET /mentoring": "member", "GET /mentoring/schemes/:id": "member", "POST /mentoring/schemes/:id/apply": "member",
	"POST /mentoring/schemes/:id/withdraw":             "applicant",
	"POST /mentoring/schemes/:id/certificate":          "member",
	"GET /mentoring/schemes/:id/questionnaire/:phase":  "reading",
	"POST /mentoring/schemes/:id/questionnaire/:phase": "answering",
	"GET /mentoring/pairs/:id":                         "pair", "POST /mentoring/pairs/:id/meetings": "pair",
	"POST /mentoring/pairs/:id/goals": "mentee", "POST /mentoring/pairs/:id/end-request": "pair",
	"POST /mentoring/meetings/:id/accept": "other side", "POST /mentoring/meetings/:id/held": "pair",
	"GET /committee/mentoring": "committee", "GET /committee/mentoring/new": "committee", "POST /committee/mentoring/new": "committee",
	"GET /committee/mentoring/:id": "committee", "GET /committee/mentoring/:id/edit": "committee",
	"POST /committee/mentoring/:id/edit": "committee", "POST /committee/mentoring/:id/open": "committee",
	"POST /committee/mentoring/:id/invite": "committee", "POST /committee/mentoring/:id/match": "committee",
	"POST /committee/mentoring/:id/pairs": "committee", "POST /committee/mentoring/:id/pairs/:pair/end": "committee",
	"GET /committee/mentoring/:id/publish": "committee", "POST /committee/mentoring/:id/publish": "committee",
	"GET /committee/mentoring/:id/evaluation":     "committee",
	"GET /committee/mentoring/:id/questionnaires": "committee", "POST /committee/mentoring/:id/questionnaires": "committee", "GET /committee/mentoring/:id/evaluation.csv": "committee",
}

// What allowed callers get from the mentoring pages, sent an empty form.
var mentoringPageAnswers = map[string][]string{
	"POST /mentoring/schemes/:id/apply":                {"422"},                              // apply as what?
	"POST /mentoring/join":                             {"303 /mentoring/join?token= error"}, // no invitation
	"POST /mentoring/schemes/:id/withdraw":             {"303 /mentoring success"},
	"POST /mentoring/schemes/:id/certificate":          {"303 /mentoring error"},               // the open scheme: nobody mentored in it yet
	"POST /committee/mentoring/:id/questionnaires":     {"303 /committee/mentoring/* success"}, // no items: none asked
	"POST /mentoring/schemes/:id/questionnaire/:phase": {"422"},                                // no answer
	"POST /mentoring/pairs/:id/meetings":               {"422"},
	"POST /mentoring/pairs/:id/goals":                  {"303 /mentoring/pairs/* success"},
	"POST /mentoring/pairs/:id/end-request":            {"422"}, // no reason
	"POST /mentoring/meetings/:id/accept":              {"303 /mentoring/pairs/* success"},
	"POST /mentoring/meetings/:id/held":                {"303 /mentoring/pairs/* error"}, // held or not?
	"POST /committee/mentoring/new":                    {"422"},
	"POST /committee/mentoring/:id/edit":               {"422"},
	"POST /committee/mentoring/:id/open":               {"303 /committee/mentoring/* success"}, // open already: no change
	"POST /committee/mentoring/:id/invite":             {"303 /committee/mentoring/* error"},   // nobody to invite
	"POST /committee/mentoring/:id/match":              {"303 /committee/mentoring/* success"},
	"POST /committee/mentoring/:id/pairs":              {"303 /committee/mentoring/* success"},
	"POST /committee/mentoring/:id/pairs/:pair/end":    {"303 /committee/mentoring/* success"},
	"POST /committee/mentoring/:id/publish":            {"303 /committee/mentoring/* success"},
}

func init() {
	for k, v := range mentoringPageRoutes {
		matrix[k] = v
	}
	for k, v := range mentoringPageAnswers {
		matrixAnswers[k] = v
	}
}
