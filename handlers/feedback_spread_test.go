package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// The feedback summary shows how the ratings are spread (how many answers
// gave each rating from 1 to 5), in the page's table and in the API, under
// the same rules as the averages: nothing below the threshold, and only
// whole steps of the threshold of answers.
func TestFeedbackSummaryShowsTheSpread(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		var students []models.User
		var tokens []string
		for _, name := range []string{"amelia.okafor", "ben.hughes", "chloe.davies", "dev.patel"} {
			u, tok := a.user(name+"@example.ac.uk", models.RoleStudent, intp(2))
			students, tokens = append(students, u), append(tokens, tok)
		}
		id, start := a.taughtSession(teacherTok, nil)
		a.attended(teacher, id, students...)
		a.clock.Set(start.Add(2 * time.Hour))
		answer := func(i, overall int) {
			t.Helper()
			body := map[string]any{"overall": overall, "teaching": 4, "confidence_before": 2, "confidence_after": 3 + i%2, "benefits": []string{}}
			if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/feedback", id), body, tokens[i]); r.Status != http.StatusCreated {
				t.Fatalf("answer %d: %d %s", i, r.Status, r.Body)
			}
		}
		summaryAPI := fmt.Sprintf("/api/v1/sessions/%d/feedback/summary", id)
		page := fmt.Sprintf("/sessions/%d/feedback/summary", id)
		tb := a.browser()
		tb.login(teacher.Email, "correct horse battery")

		answer(0, 5)
		answer(1, 5)
		r := a.api("GET", summaryAPI, nil, teacherTok)
		if m := r.json(t); m["withheld"] != true || len(m["ratings"].(map[string]any)) != 0 || m["shown_responses"] != 0.0 {
			t.Errorf("two answers: %s", r.Body)
		}
		if strings.Contains(string(tb.get(page).Body), "How the ratings are spread") {
			t.Error("the spread is shown below the threshold")
		}

		answer(2, 2)
		r = a.api("GET", summaryAPI, nil, teacherTok)
		var three struct {
			Responses int              `json:"responses"`
			Shown     int              `json:"shown_responses"`
			Ratings   map[string][]int `json:"ratings"`
		}
		if err := json.Unmarshal(r.Body, &three); err != nil {
			t.Fatal(err)
		}
		if three.Shown != 3 || fmt.Sprint(three.Ratings["overall"]) != "[0 1 0 0 2]" || fmt.Sprint(three.Ratings["teaching"]) != "[0 0 0 3 0]" ||
			fmt.Sprint(three.Ratings["confidence_after"]) != "[0 0 2 1 0]" {
			t.Errorf("three answers: %s", r.Body)
		}
		p := tb.get(page)
		contains(t, p, "How the ratings are spread", "How many of the 3 answers gave each rating",
			`<tr><th scope="row">Overall</th><td class="num">0<span class="bar-track" aria-hidden="true"><span class="bar-fill w-0"></span></span></td><td class="num">1<span class="bar-track" aria-hidden="true"><span class="bar-fill w-35"></span></span></td>`,
			`<td class="num">2<span class="bar-track" aria-hidden="true"><span class="bar-fill w-65"></span></span></td></tr>`,
			`<tr><th scope="row">Teaching</th>`, `<tr><th scope="row">Confidence before</th>`, `<tr><th scope="row">Confidence after</th>`)
		if strings.Contains(string(p.Body), " style=") {
			t.Error("the spread uses an inline style")
		}
		before := strings.ReplaceAll(string(r.Body), `"responses":3`, "")

		// A fourth answer waits for two more: the spread and the figures
		// stay as they were, and the page says why.
		answer(3, 1)
		r = a.api("GET", summaryAPI, nil, teacherTok)
		m := r.json(t)
		if m["responses"] != 4.0 || m["shown_responses"] != 3.0 {
			t.Errorf("four answers: %s", r.Body)
		}
		after := strings.ReplaceAll(strings.ReplaceAll(string(r.Body), `"responses":4`, ""), `"response_rate":1`, `"response_rate":0.75`)
		if after != before {
			t.Errorf("a fourth answer moved the summary:\n%s\n%s", before, after)
		}
		contains(t, tb.get(page), "How many of the 3 answers gave each rating", "come from 3 of the 4 answers",
			"brought up to date each time another 3 students have answered")
	})
}
