package models

// Words with a fixed set of values. Each is a type whose value is what the
// database, the JSON API and the forms carry ("in_person"), and whose
// Label is what a person reads ("In person"), in sentence case as pages
// and e-mails show it; a sentence that uses a label in its middle
// lower-cases it. A value outside the set labels as itself, so that
// nothing stored is ever hidden.

import "slices"

// Mode is how a session is held (in person, online or both), or how a
// booking or an attendance was made (one of the first two).
type Mode string

// Modes of a session, and of a booking (one of the first two).
const (
	ModeInPerson Mode = "in_person"
	ModeOnline   Mode = "online"
	ModeHybrid   Mode = "hybrid"
)

// Label is the mode as pages say it.
func (m Mode) Label() string {
	switch m {
	case ModeInPerson:
		return "In person"
	case ModeOnline:
		return "Online"
	case ModeHybrid:
		return "In person and online"
	}
	return string(m)
}

// Valid tells whether m is one of the modes.
func (m Mode) Valid() bool { return m == ModeInPerson || m == ModeOnline || m == ModeHybrid }

// Format is the kind of teaching a session is.
type Format string

// Formats of a teaching session.
const (
	FormatLecture    Format = "lecture"
	FormatSmallGroup Format = "small_group"
	FormatPractical  Format = "practical"
	FormatWorkshop   Format = "workshop"
)

// Formats lists the formats in the order forms offer them.
var Formats = []Format{FormatLecture, FormatSmallGroup, FormatPractical, FormatWorkshop}

// Label is the format as pages say it.
func (f Format) Label() string {
	switch f {
	case FormatLecture:
		return "Lecture"
	case FormatSmallGroup:
		return "Small group"
	case FormatPractical:
		return "Practical"
	case FormatWorkshop:
		return "Workshop"
	}
	return string(f)
}

// Valid tells whether f is one of the formats.
func (f Format) Valid() bool {
	return f == FormatLecture || f == FormatSmallGroup || f == FormatPractical || f == FormatWorkshop
}

// SessionStatus is where a session is in its life: draft → published →
// (cancelled).
type SessionStatus string

// Statuses of a session.
const (
	SessionDraft     SessionStatus = "draft"
	SessionPublished SessionStatus = "published"
	SessionCancelled SessionStatus = "cancelled"
)

// Label is the session's status as pages say it.
func (s SessionStatus) Label() string {
	switch s {
	case SessionDraft:
		return "Draft"
	case SessionPublished:
		return "Published"
	case SessionCancelled:
		return "Cancelled"
	}
	return string(s)
}

// Valid tells whether s is one of the statuses of a session.
func (s SessionStatus) Valid() bool {
	return s == SessionDraft || s == SessionPublished || s == SessionCancelled
}

// BookingStatus is whether a booking holds a seat, a place in the queue, or
// nothing any more.
type BookingStatus string

// Statuses of a booking.
const (
	BookingConfirmed  BookingStatus = "confirmed"
	BookingWaitlisted BookingStatus = "waitlisted"
	BookingCancelled  BookingStatus = "cancelled"
)

// Label is the booking's status as the register says it ("Booked in
// person", "Waitlisted online").
func (s BookingStatus) Label() string {
	switch s {
	case BookingConfirmed:
		return "Booked"
	case BookingWaitlisted:
		return "Waitlisted"
	case BookingCancelled:
		return "Cancelled"
	}
	return string(s)
}

// Valid tells whether s is one of the statuses of a booking.
func (s BookingStatus) Valid() bool {
	return s == BookingConfirmed || s == BookingWaitlisted || s == BookingCancelled
}

// AttendanceStatus is what happened: whether a student came, and on time.
type AttendanceStatus string

// Attendance statuses.
const (
	AttendancePresent AttendanceStatus = "present"
	AttendanceLate    AttendanceStatus = "late"
	AttendanceAbsent  AttendanceStatus = "absent"
	AttendanceExcused AttendanceStatus = "excused"
)

// AttendanceStatuses lists the statuses in the order the register offers
// them.
var AttendanceStatuses = []AttendanceStatus{AttendancePresent, AttendanceLate, AttendanceAbsent, AttendanceExcused}

// Label is the status as the register says it.
func (s AttendanceStatus) Label() string {
	switch s {
	case AttendancePresent:
		return "Present"
	case AttendanceLate:
		return "Late"
	case AttendanceAbsent:
		return "Absent"
	case AttendanceExcused:
		return "Excused"
	}
	return string(s)
}

// Valid tells whether s is one of the attendance statuses.
func (s AttendanceStatus) Valid() bool {
	return s == AttendancePresent || s == AttendanceLate || s == AttendanceAbsent || s == AttendanceExcused
}

// AttendanceSource is how we know what happened.
type AttendanceSource string

// Sources of an attendance record, from least to most trusted. A record is
// only replaced by one from a source at least as trusted.
const (
	SourceApology  AttendanceSource = "apology"   // the student said in advance they cannot come
	SourceCode     AttendanceSource = "code"      // the student typed or scanned the check-in code
	SourceJoinLink AttendanceSource = "join_link" // the student joined the online session through Rounds
	SourceImport   AttendanceSource = "import"    // the meeting's own attendance report
	SourceRegister AttendanceSource = "register"  // the teacher's register
)

// Label is the source as the register says it.
func (s AttendanceSource) Label() string {
	switch s {
	case SourceApology:
		return "Apologies"
	case SourceCode:
		return "Check-in code"
	case SourceJoinLink:
		return "Join link"
	case SourceImport:
		return "Meeting report"
	case SourceRegister:
		return "Register"
	}
	return string(s)
}

// Valid tells whether s is one of the sources.
func (s AttendanceSource) Valid() bool {
	_, ok := sourceRank[s]
	return ok
}

// Role is what a member may do.
type Role string

// Roles a member can have.
const (
	RoleStudent   Role = "student"
	RoleTeacher   Role = "teacher"
	RoleCommittee Role = "committee"
)

// Roles lists the roles in order of what they may do.
var Roles = []Role{RoleStudent, RoleTeacher, RoleCommittee}

// Label is the role as pages say it.
func (r Role) Label() string {
	switch r {
	case RoleStudent:
		return "Student"
	case RoleTeacher:
		return "Teacher"
	case RoleCommittee:
		return "Committee"
	}
	return string(r)
}

// Valid tells whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleStudent || r == RoleTeacher || r == RoleCommittee }

// ImportAction is what importing a meeting report does with one
// participant.
type ImportAction string

// What an import does with one participant of a meeting report.
const (
	ImportMarkPresent  ImportAction = "present"       // matched and stayed long enough
	ImportTooShort     ImportAction = "below_minimum" // matched, but left too early
	ImportTeacher      ImportAction = "teacher"       // one of the session's teachers
	ImportUnmatched    ImportAction = "unmatched"     // no member, or more than one, has that e-mail or name
	ImportKeptRegister ImportAction = "kept"          // the teacher's register already says otherwise
)

// Label is what the import's preview says will happen.
func (a ImportAction) Label() string {
	switch a {
	case ImportMarkPresent:
		return "Will be marked present"
	case ImportTooShort:
		return "Not marked: stayed too short a time"
	case ImportTeacher:
		return "Not marked: a teacher of the session"
	case ImportUnmatched:
		return "Not marked: no member matched"
	case ImportKeptRegister:
		return "Kept as the register says"
	}
	return string(a)
}

// Valid tells whether a is one of the import's actions.
func (a ImportAction) Valid() bool {
	return a == ImportMarkPresent || a == ImportTooShort || a == ImportTeacher || a == ImportUnmatched || a == ImportKeptRegister
}

// CertificateKind is what a certificate certifies.
type CertificateKind string

// Kinds of certificate.
const (
	CertificateAttendance CertificateKind = "attendance"
	CertificateTeaching   CertificateKind = "teaching"
)

// Label is the certificate's name, as its page and the list of
// certificates head it.
func (k CertificateKind) Label() string {
	switch k {
	case CertificateAttendance:
		return "Certificate of attendance"
	case CertificateTeaching:
		return "Teaching certificate"
	}
	return string(k)
}

// Valid tells whether k is one of the kinds of certificate.
func (k CertificateKind) Valid() bool { return k == CertificateAttendance || k == CertificateTeaching }

// Benefit is something a student can say a session gave them.
type Benefit string

// Benefits a student can say a session gave them, in the form's order.
const (
	BenefitKnowledge       Benefit = "knowledge"
	BenefitMotivation      Benefit = "motivation"
	BenefitCommunity       Benefit = "community"
	BenefitExamPreparation Benefit = "exam_preparation"
	BenefitClinicalSkills  Benefit = "clinical_skills"
	BenefitConfidence      Benefit = "confidence"
)

// Benefits lists the benefits in the form's order.
var Benefits = []Benefit{BenefitKnowledge, BenefitMotivation, BenefitCommunity, BenefitExamPreparation, BenefitClinicalSkills, BenefitConfidence}

// Label is the benefit as the feedback form and its summary say it.
func (b Benefit) Label() string {
	switch b {
	case BenefitKnowledge:
		return "Knowledge"
	case BenefitMotivation:
		return "Motivation"
	case BenefitCommunity:
		return "Community"
	case BenefitExamPreparation:
		return "Exam preparation"
	case BenefitClinicalSkills:
		return "Clinical skills"
	case BenefitConfidence:
		return "Confidence"
	}
	return string(b)
}

// Valid tells whether b is one of the benefits.
func (b Benefit) Valid() bool { return slices.Contains(Benefits, b) }

// MailKind is what an e-mail is about, as carried in its X-Rounds-Kind
// header.
type MailKind string

// E-mail kinds.
const (
	MailWelcome           MailKind = "welcome"
	MailPasswordReset     MailKind = "password_reset"
	MailBookingConfirmed  MailKind = "booking_confirmed"
	MailWaitlistPromoted  MailKind = "waitlist_promoted"
	MailSessionChanged    MailKind = "session_changed"
	MailSessionCancelled  MailKind = "session_cancelled"
	MailSessionReminder   MailKind = "session_reminder"
	MailFeedbackRequest   MailKind = "feedback_request"
	MailFeedbackReminder  MailKind = "feedback_reminder"
	MailCertificateIssued MailKind = "certificate_issued"
	MailRegisterReminder  MailKind = "register_reminder"
)

// Label is the kind of e-mail as the outbox page lists it.
func (k MailKind) Label() string {
	switch k {
	case MailWelcome:
		return "Welcome"
	case MailPasswordReset:
		return "Password reset"
	case MailBookingConfirmed:
		return "Booking confirmed"
	case MailWaitlistPromoted:
		return "Off the waitlist"
	case MailSessionChanged:
		return "Session changed"
	case MailSessionCancelled:
		return "Session cancelled"
	case MailSessionReminder:
		return "Session reminder"
	case MailFeedbackRequest:
		return "Feedback request"
	case MailFeedbackReminder:
		return "Feedback reminder"
	case MailCertificateIssued:
		return "Certificate issued"
	case MailRegisterReminder:
		return "Register reminder"
	}
	return string(k)
}

// Valid tells whether k is one of the kinds of e-mail.
func (k MailKind) Valid() bool {
	switch k {
	case MailWelcome, MailPasswordReset, MailBookingConfirmed, MailWaitlistPromoted, MailSessionChanged, MailSessionCancelled,
		MailSessionReminder, MailFeedbackRequest, MailFeedbackReminder, MailCertificateIssued, MailRegisterReminder:
		return true
	}
	return false
}

// OutboxStatus is where an e-mail is on its way.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"  // gave up after MaxDeliveryAttempts
	OutboxSkipped OutboxStatus = "skipped" // no longer worth sending (the session has passed, say)
)

// Label is the status as the outbox page shows it.
func (s OutboxStatus) Label() string {
	switch s {
	case OutboxPending:
		return "Pending"
	case OutboxSent:
		return "Sent"
	case OutboxFailed:
		return "Failed"
	case OutboxSkipped:
		return "Skipped"
	}
	return string(s)
}

// Valid tells whether s is one of the outbox statuses.
func (s OutboxStatus) Valid() bool {
	return s == OutboxPending || s == OutboxSent || s == OutboxFailed || s == OutboxSkipped
}
