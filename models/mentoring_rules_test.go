package models

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func yr(y int) *int { return &y }

func TestMayMentor(t *testing.T) {
	student4 := User{ID: 1, Role: RoleStudent, YearOfStudy: yr(4)}
	student2 := User{ID: 2, Role: RoleStudent, YearOfStudy: yr(2)}
	teacher := User{ID: 3, Role: RoleTeacher, YearOfStudy: yr(3)}
	doctor := User{ID: 4, Role: RoleStudent}
	cases := []struct {
		name    string
		rule    MentorRule
		u       User
		invited bool
		want    bool
	}{
		{"teacher by role", MentorRule{Roles: []Role{RoleTeacher}}, teacher, false, true},
		{"student not among the roles", MentorRule{Roles: []Role{RoleTeacher}}, student4, false, false},
		{"student in year 4 of min year 4", MentorRule{MinYear: yr(4)}, student4, false, true},
		{"student in year 2 of min year 4", MentorRule{MinYear: yr(4)}, student2, false, false},
		{"graduate without a year, min year only", MentorRule{MinYear: yr(4)}, doctor, false, false},
		{"invited, scheme takes invited", MentorRule{Invited: true}, doctor, true, true},
		{"invited, scheme does not take invited", MentorRule{Roles: []Role{RoleTeacher}}, doctor, true, false},
		{"not invited, scheme takes invited only", MentorRule{Invited: true}, student4, false, false},
	}
	for _, c := range cases {
		if got := mayMentor(c.rule, c.u, c.invited); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !mayBeMentored(YearGroupsOf(1, 2), student2) || mayBeMentored(YearGroupsOf(1, 2), student4) || mayBeMentored(YearGroupsOf(1, 2), doctor) {
		t.Error("mentee years")
	}
}

func TestApplicationsWindow(t *testing.T) {
	open := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	s := Scheme{Status: SchemeOpen, ApplicationsOpen: open, ApplicationsClose: open.Add(14 * 24 * time.Hour)}
	cases := []struct {
		status SchemeStatus
		at     time.Time
		want   error
	}{
		{SchemeOpen, open.Add(-time.Minute), ErrApplicationsNotYetOpen},
		{SchemeOpen, open, nil},
		{SchemeOpen, s.ApplicationsClose.Add(-time.Second), nil},
		{SchemeOpen, s.ApplicationsClose, ErrApplicationsClosed},
		{SchemeDraft, open.Add(time.Hour), ErrApplicationsClosed},
		{SchemeMatched, open.Add(time.Hour), ErrApplicationsClosed},
	}
	for _, c := range cases {
		s.Status = c.status
		if got := applicationsError(s, c.at); got != c.want {
			t.Errorf("%s at %v: %v, want %v", c.status, c.at, got, c.want)
		}
	}
	for st, want := range map[SchemeStatus]error{SchemeOpen: nil, SchemeMatched: ErrMatchingDone, SchemeRunning: ErrMatchingDone} {
		if got := applicationChangeError(Scheme{Status: st}); got != want {
			t.Errorf("change while %s: %v", st, got)
		}
	}
}

func TestPairRefusal(t *testing.T) {
	y5 := applicant{UserID: 1, Role: RoleStudent, Year: yr(5)}
	y4 := applicant{UserID: 2, Role: RoleStudent, Year: yr(4)}
	y2 := applicant{UserID: 3, Role: RoleStudent, Year: yr(2)}
	y3 := applicant{UserID: 4, Role: RoleStudent, Year: yr(3)}
	doctor := applicant{UserID: 5, Role: RoleStudent}
	teacher3 := applicant{UserID: 6, Role: RoleTeacher, Year: yr(3)}
	excluding := applicant{UserID: 7, Role: RoleStudent, Year: yr(1), Exclude: []int64{1}}
	cases := []struct {
		name           string
		mentor, mentee applicant
		refused        bool
	}{
		{"three years ahead", y5, y2, false},
		{"exactly two years ahead", y4, y2, false},
		{"one year ahead", y4, y3, true},
		{"same year", y3, y3, true},
		{"a doctor mentors anyone", doctor, y3, false},
		{"a teacher in year 3 mentors year 3", teacher3, y3, false},
		{"nobody mentors themselves", doctor, doctor, true},
		{"the mentee excluded the mentor", y5, excluding, true},
		{"the mentor excluded the mentee", applicant{UserID: 8, Year: yr(6), Exclude: []int64{3}}, y2, true},
		{"a student mentoring a graduate", y5, doctor, true},
	}
	for _, c := range cases {
		why := pairRefusal(c.mentor, c.mentee)
		if (why != "") != c.refused {
			t.Errorf("%s: refusal %q, want refused %v", c.name, why, c.refused)
		}
	}
}

func TestPairScoreAndReasons(t *testing.T) {
	w := Weights{Interests: 3, Mode: 2, Availability: 1}
	mentor := applicant{Interests: []string{"General practice", "Research", "Surgery"}, Mode: PreferOnline,
		Availability: []string{"tue_evening", "weekends"}}
	mentee := applicant{Interests: []string{"Research", "General practice", "Wellbeing"}, Mode: PreferOnline,
		Availability: []string{"weekday_evenings", "sat_morning"}}
	score, reasons := pairScore(w, mentor, mentee)
	want := []string{"both: research, general practice", "both prefer online", "both free: Tuesday evenings, Saturday mornings"}
	if score != 3*2+2+1 || !reflect.DeepEqual(reasons, want) {
		t.Errorf("score %d reasons %q", score, reasons)
	}

	cases := []struct {
		a, b   MeetingPreference
		suits  bool
		reason string
	}{
		{PreferEither, PreferInPerson, true, "in person suits both"},
		{PreferOnline, PreferEither, true, "online suits both"},
		{PreferEither, PreferEither, true, "both happy to meet in person or online"},
		{PreferOnline, PreferInPerson, false, ""},
	}
	for _, c := range cases {
		if modesSuit(c.a, c.b) != c.suits {
			t.Errorf("%s/%s suit: %v", c.a, c.b, !c.suits)
		}
		if c.suits && modeReason(c.a, c.b) != c.reason {
			t.Errorf("%s/%s: %q", c.a, c.b, modeReason(c.a, c.b))
		}
	}

	score, reasons = pairScore(w, applicant{Mode: PreferOnline}, applicant{Mode: PreferInPerson})
	if score != 0 || len(reasons) != 1 {
		t.Errorf("nothing shared: %d %q", score, reasons)
	}
	if got := sharedTimes([]string{"weekends"}, []string{"weekends", "mon_morning"}); !reflect.DeepEqual(got, []string{"weekends"}) {
		t.Errorf("whole weekend shared: %q", got)
	}
}

func TestValidTime(t *testing.T) {
	for s, want := range map[string]string{"weekday_evenings": "weekday_evenings", "Weekday evenings": "weekday_evenings",
		" tue_evening ": "tue_evening", "Lunchtimes": "lunchtimes", "": "", strings.Repeat("x", 41): ""} {
		if got, ok := cleanTime(s); got != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", s, got, ok, want)
		}
	}
	if got := sharedTimes([]string{"lunchtimes", "tue_evening"}, []string{"lunchtimes", "weekday_evenings"}); !reflect.DeepEqual(got, []string{"Tuesday evenings", "lunchtimes"}) {
		t.Errorf("a time of the applicants' own: %q", got)
	}
}

func TestNudgeStage(t *testing.T) {
	anchor := time.Date(2026, 10, 1, 18, 0, 0, 0, time.UTC)
	month := 30 * 24 * time.Hour
	cases := []struct {
		after time.Duration
		want  int
	}{
		{month, 0},
		{month + NudgeGrace - time.Minute, 0},
		{month + NudgeGrace, 1},
		{2 * month, 1},
		{2*month + NudgeGrace, 2},
		{5 * month, 2},
	}
	for _, c := range cases {
		if got := nudgeStage(anchor, month, anchor.Add(c.after)); got != c.want {
			t.Errorf("%v after: %d, want %d", c.after, got, c.want)
		}
	}
}

func TestCheckScheme(t *testing.T) {
	open := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	good := func() *Scheme {
		s := &Scheme{Title: "GP careers", MenteeYears: YearGroupsOf(1, 2), ApplicationsOpen: open, ApplicationsClose: open.AddDate(0, 0, 14),
			MatchAt: open.AddDate(0, 0, 15), StartsOn: "2026-10-20", EndsOn: "2027-03-31", MeetEveryDays: 30, MaxMenteesDefault: 2}
		s.MentorRoles.V = []Role{RoleTeacher}
		return s
	}
	p := Problems{}
	checkScheme(p, good())
	if len(p) != 0 {
		t.Fatalf("good scheme: %v", p)
	}
	cases := map[string]func(*Scheme){
		"title":               func(s *Scheme) { s.Title = "" },
		"mentee_years":        func(s *Scheme) { s.MenteeYears = 0 },
		"applications_close":  func(s *Scheme) { s.ApplicationsClose = s.ApplicationsOpen },
		"match_at":            func(s *Scheme) { s.MatchAt = s.ApplicationsOpen.Add(-time.Hour) },
		"ends_on":             func(s *Scheme) { s.EndsOn = s.StartsOn },
		"meet_every_days":     func(s *Scheme) { s.MeetEveryDays = 0 },
		"max_mentees_default": func(s *Scheme) { s.MaxMenteesDefault = 6 },
		"mentor_rule":         func(s *Scheme) { s.MentorRoles.V = nil },
	}
	for field, change := range cases {
		s := good()
		change(s)
		p := Problems{}
		checkScheme(p, s)
		if p[field] == "" {
			t.Errorf("%s: problems %v", field, p)
		}
	}
}

// The matcher's fast score is the score of the pair with its reasons.
func TestPairPointsIsPairScore(t *testing.T) {
	w := Weights{Interests: 3, Mode: 2, Availability: 5}
	people := []applicant{
		{Interests: []string{"A", "B", "A"}, Mode: PreferOnline, Availability: []string{"weekends"}},
		{Interests: []string{"B", "C"}, Mode: PreferEither, Availability: []string{"sat_morning", "tue_evening"}},
		{Interests: nil, Mode: PreferInPerson, Availability: []string{"weekday_evenings"}},
		{Interests: []string{"C"}, Mode: PreferOnline},
	}
	for i := range people {
		for j := range people {
			want, _ := pairScore(w, people[i], people[j])
			if got := pairPoints(w, &people[i], &people[j]); got != want {
				t.Errorf("%d with %d: %d, pairScore says %d", i, j, got, want)
			}
		}
	}
}
