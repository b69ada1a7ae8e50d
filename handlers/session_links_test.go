package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

// The session page offers apologies to a booked student, and attendance
// and feedback to its teachers — and to nobody else.
func TestSessionPageOffersTheRightActions(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
	a.user("booked@example.ac.uk", models.RoleStudent, intp(1))
	a.user("browsing@example.ac.uk", models.RoleStudent, intp(1))
	start := a.clock.Now().Add(48 * time.Hour)
	res := a.api("POST", "/api/v1/sessions", sessionBody(start, nil), teacherTok)
	id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
	a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, teacherTok)
	page := fmt.Sprintf("/sessions/%d", id)

	booked := a.browser()
	booked.login("booked@example.ac.uk", "correct horse battery")
	booked.post(page, page+"/book", url.Values{"mode": {"in_person"}})
	body := string(booked.get(page).Body)
	if !strings.Contains(body, "Send apologies") || strings.Contains(body, "Take attendance") {
		t.Errorf("booked student's page: apologies %v, take attendance %v", strings.Contains(body, "Send apologies"), strings.Contains(body, "Take attendance"))
	}
	res2 := booked.post(page, page+"/apologies", url.Values{})
	if res2.Status != 303 {
		t.Fatalf("apologies: %d", res2.Status)
	}
	if b, _ := models.UserBooking(t.Context(), a.db, id, mustUser(t, a, "booked@example.ac.uk").ID); b.Status != models.BookingCancelled {
		t.Errorf("booking after apologies = %s", b.Status)
	}

	browsing := a.browser()
	browsing.login("browsing@example.ac.uk", "correct horse battery")
	if body := string(browsing.get(page).Body); strings.Contains(body, "Send apologies") || strings.Contains(body, "/register") {
		t.Error("a student without a booking is offered apologies or the register")
	}
	teacher := a.browser()
	teacher.login("teacher@example.ac.uk", "correct horse battery")
	contains(t, teacher.get(page), "Take attendance", "/sessions/"+fmt.Sprint(id)+"/register")
}

func mustUser(t *testing.T, a *app, email string) models.User {
	t.Helper()
	u, err := models.UserByEmail(t.Context(), a.db, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
