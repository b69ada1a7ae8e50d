package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
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

func TestImportActionWords(t *testing.T) {
	checkWords(t, models.ImportAction.Label, models.ImportAction.Valid, []word{
		{"present", "Will be marked present", true},
		{"below_minimum", "Not marked: stayed too short a time", true},
		{"teacher", "Not marked: a teacher of the session", true},
		{"unmatched", "Not marked: no member matched", true},
		{"kept", "Kept as the register says", true},
		{"", "", false},
		{"absent", "absent", false},
	})
}

func TestCertificateKindWords(t *testing.T) {
	checkWords(t, models.CertificateKind.Label, models.CertificateKind.Valid, []word{
		{"attendance", "Certificate of attendance", true},
		{"teaching", "Teaching certificate", true},
		{"mentoring", "Mentoring certificate", true},
		{"", "", false},
		{"membership", "membership", false},
	})
}

func TestBenefitWords(t *testing.T) {
	checkWords(t, models.Benefit.Label, models.Benefit.Valid, []word{
		{"knowledge", "Knowledge", true},
		{"motivation", "Motivation", true},
		{"community", "Community", true},
		{"exam_preparation", "Exam preparation", true},
		{"clinical_skills", "Clinical skills", true},
		{"confidence", "Confidence", true},
		{"", "", false},
		{"free pizza", "free pizza", false},
	})
	if len(models.Benefits) != 6 || models.Benefits[0] != models.BenefitKnowledge || models.Benefits[5] != models.BenefitConfidence {
		t.Errorf("Benefits = %v, want the form's order", models.Benefits)
	}
}

func TestMailKindWords(t *testing.T) {
	checkWords(t, models.MailKind.Label, models.MailKind.Valid, []word{
		{"welcome", "Welcome", true},
		{"password_reset", "Password reset", true},
		{"booking_confirmed", "Booking confirmed", true},
		{"waitlist_promoted", "Off the waitlist", true},
		{"session_changed", "Session changed", true},
		{"session_cancelled", "Session cancelled", true},
		{"session_reminder", "Session reminder", true},
		{"feedback_request", "Feedback request", true},
		{"feedback_reminder", "Feedback reminder", true},
		{"certificate_issued", "Certificate issued", true},
		{"register_reminder", "Register reminder", true},
		{"", "", false},
		{"newsletter", "newsletter", false},
	})
}

func TestOutboxStatusWords(t *testing.T) {
	checkWords(t, models.OutboxStatus.Label, models.OutboxStatus.Valid, []word{
		{"pending", "Pending", true},
		{"sent", "Sent", true},
		{"failed", "Failed", true},
		{"skipped", "Skipped", true},
		{"", "", false},
		{"bounced", "bounced", false},
	})
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

// fieldMessage is what a validation error says about one field.
func fieldMessage(err error, field string) string {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Sprintf("not a validation error: %v", err)
	}
	return ve.Fields[field]
}

// Messages about a mode, format or grouping name the choices as a person
// would, never by their raw values.
func TestMessagesSayTheChoicesInWords(t *testing.T) {
	db := testkit.SQLite(t)
	teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher))
	student := testkit.Member(t, db, testkit.Year(2))
	room := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson))
	hybrid := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeHybrid))
	before := atStart.Add(-24 * time.Hour)
	book := func(s models.Session, m models.Mode) error {
		_, err := models.BookSeat(t.Context(), db, student, s.ID, models.BookInput{Mode: m}, before)
		return err
	}
	list := func(f models.SessionFilter) error {
		_, err := models.ListSessions(t.Context(), db, student, f)
		return err
	}
	code := func(s models.Session, m models.Mode) error {
		_, _, err := models.CheckinCode(t.Context(), db, teacher, s.ID, m, atRules, before)
		return err
	}
	mark := func(s models.Session, m models.Mode) error {
		_, err := models.MarkRegister(t.Context(), db, teacher, s.ID, student.ID, models.RegisterEntry{Status: models.AttendancePresent, Mode: m}, before)
		return err
	}
	_, breakdownErr := models.AttendanceBreakdown(t.Context(), db, models.StatsFilter{From: atStart, To: atStart.Add(time.Hour)}, "colour", atStart, time.UTC)
	for _, c := range []struct {
		name, field, want string
		err               error
	}{
		{"booking by pigeon", "mode", "Choose in person or online.", book(room, "pigeon")},
		{"booking a hybrid session without a mode", "mode", "This session is hybrid: choose in person or online.", book(hybrid, "")},
		{"booking online in the room", "mode", "This session is in person only.", book(room, models.ModeOnline)},
		{"listing by an unknown mode", "mode", "Choose in person, online or in person and online.", list(models.SessionFilter{Mode: "zoom"})},
		{"listing by an unknown format", "format", "Choose lecture, small group, practical or workshop.", list(models.SessionFilter{Format: "seminar"})},
		{"bookings of an unknown mode", "mode", "Choose in person or online.", func() error {
			_, err := models.BookingsForUser(t.Context(), db, student, models.BookingFilter{Mode: models.ModeHybrid})
			return err
		}()},
		{"a code for both modes at once", "mode", "Choose in person or online.", code(hybrid, models.ModeHybrid)},
		{"a code for online seats the room has not", "mode", "This session has no online seats.", code(room, models.ModeOnline)},
		{"the register by pigeon", "mode", "Choose in person or online.", mark(hybrid, "pigeon")},
		{"the register online in the room", "mode", "This session has no online seats.", mark(room, models.ModeOnline)},
		{"figures of hybrid attendees", "mode", "Choose in person or online.", models.StatsFilter{From: atStart, To: atStart.Add(time.Hour), Mode: models.ModeHybrid}.Check()},
		{"figures by colour", "group_by", "Choose how to group the figures: by year of study, mode, topic, format, teacher, week, month or series.", breakdownErr},
	} {
		if got := fieldMessage(c.err, c.field); got != c.want {
			t.Errorf("%s: %s says %q, want %q", c.name, c.field, got, c.want)
		}
	}
}
