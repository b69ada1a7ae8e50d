package models_test

import (
	"encoding/json"
	"strings"
	"testing"

	"rounds/models"
)

// word is one value of a set, with the words a person reads for it and
// whether it belongs to the set.
type word struct {
	value, label string
	valid        bool
}

// checkWords tests Label and Valid of every value in the table.
func checkWords[T ~string](t *testing.T, label func(T) string, valid func(T) bool, table []word) {
	t.Helper()
	for _, w := range table {
		if got := label(T(w.value)); got != w.label {
			t.Errorf("%q.Label() = %q, want %q", w.value, got, w.label)
		}
		if got := valid(T(w.value)); got != w.valid {
			t.Errorf("%q.Valid() = %v, want %v", w.value, got, w.valid)
		}
		if w.valid && strings.Contains(w.label, "_") {
			t.Errorf("%q.Label() = %q shows a raw value", w.value, w.label)
		}
	}
}

func TestModeWords(t *testing.T) {
	checkWords(t, models.Mode.Label, models.Mode.Valid, []word{
		{"in_person", "In person", true},
		{"online", "Online", true},
		{"hybrid", "In person and online", true},
		{"", "", false},
		{"zoom", "zoom", false},
	})
}

func TestFormatWords(t *testing.T) {
	checkWords(t, models.Format.Label, models.Format.Valid, []word{
		{"lecture", "Lecture", true},
		{"small_group", "Small group", true},
		{"practical", "Practical", true},
		{"workshop", "Workshop", true},
		{"", "", false},
		{"seminar", "seminar", false},
	})
	if len(models.Formats) != 4 {
		t.Errorf("Formats = %v", models.Formats)
	}
	for _, f := range models.Formats {
		if !f.Valid() {
			t.Errorf("Formats lists %q, which is not valid", f)
		}
	}
}

func TestSessionStatusWords(t *testing.T) {
	checkWords(t, models.SessionStatus.Label, models.SessionStatus.Valid, []word{
		{"draft", "Draft", true},
		{"published", "Published", true},
		{"cancelled", "Cancelled", true},
		{"", "", false},
		{"open", "open", false},
	})
}

func TestBookingStatusWords(t *testing.T) {
	checkWords(t, models.BookingStatus.Label, models.BookingStatus.Valid, []word{
		{"confirmed", "Booked", true},
		{"waitlisted", "Waitlisted", true},
		{"cancelled", "Cancelled", true},
		{"", "", false},
		{"pending", "pending", false},
	})
}

func TestAttendanceStatusWords(t *testing.T) {
	checkWords(t, models.AttendanceStatus.Label, models.AttendanceStatus.Valid, []word{
		{"present", "Present", true},
		{"late", "Late", true},
		{"absent", "Absent", true},
		{"excused", "Excused", true},
		{"", "", false},
		{"here", "here", false},
	})
	if len(models.AttendanceStatuses) != 4 {
		t.Errorf("AttendanceStatuses = %v", models.AttendanceStatuses)
	}
	for _, s := range models.AttendanceStatuses {
		if !s.Valid() {
			t.Errorf("AttendanceStatuses lists %q, which is not valid", s)
		}
	}
}

func TestAttendanceSourceWords(t *testing.T) {
	checkWords(t, models.AttendanceSource.Label, models.AttendanceSource.Valid, []word{
		{"apology", "Apologies", true},
		{"code", "Check-in code", true},
		{"join_link", "Join link", true},
		{"import", "Meeting report", true},
		{"register", "Register", true},
		{"", "", false},
		{"qr", "qr", false},
	})
}

func TestRoleWords(t *testing.T) {
	checkWords(t, models.Role.Label, models.Role.Valid, []word{
		{"student", "Student", true},
		{"teacher", "Teacher", true},
		{"committee", "Committee", true},
		{"", "", false},
		{"admin", "admin", false},
	})
	if len(models.Roles) != 3 || models.Roles[0] != models.RoleStudent || models.Roles[2] != models.RoleCommittee {
		t.Errorf("Roles = %v, want student, teacher, committee", models.Roles)
	}
}

// The words are for people; the JSON API keeps the values.
func TestWordsKeepTheirValuesInJSON(t *testing.T) {
	b, err := json.Marshal(models.Attendance{Status: models.AttendanceLate, Mode: models.ModeInPerson, Source: models.SourceJoinLink})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"status":"late"`, `"mode":"in_person"`, `"source":"join_link"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	var in models.BookInput
	if err := json.Unmarshal([]byte(`{"mode":"online"}`), &in); err != nil || in.Mode != models.ModeOnline {
		t.Errorf("decoded %+v, %v", in, err)
	}
}
