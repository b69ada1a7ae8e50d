package models

// Words with a fixed set of values. Each is a type whose value is what the
// database, the JSON API and the forms carry ("in_person"), and whose
// Label is what a person reads ("In person"), in sentence case as pages
// and e-mails show it; a sentence that uses a label in its middle
// lower-cases it. A value outside the set labels as itself, so that
// nothing stored is ever hidden.

// words are a type's values and their labels.
type words[T ~string] map[T]string

// label is v's label, or v itself when it is not one of the values.
func (w words[T]) label(v T) string {
	if l, ok := w[v]; ok {
		return l
	}
	return string(v)
}

// valid tells whether v is one of the values.
func (w words[T]) valid(v T) bool {
	_, ok := w[v]
	return ok
}

// Mode is how a session is held (in person, online or both), or how a
// booking or an attendance was made (one of the first two).
type Mode string

// Modes of a session, and of a booking (one of the first two).
const (
	ModeInPerson Mode = "in_person"
	ModeOnline   Mode = "online"
	ModeHybrid   Mode = "hybrid"
)

var modeWords = words[Mode]{
	ModeInPerson: "In person",
	ModeOnline:   "Online",
	ModeHybrid:   "In person and online",
}

// Label is the mode as pages say it.
func (m Mode) Label() string { return modeWords.label(m) }

// Valid tells whether m is one of the modes.
func (m Mode) Valid() bool { return modeWords.valid(m) }

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

var formatWords = words[Format]{
	FormatLecture:    "Lecture",
	FormatSmallGroup: "Small group",
	FormatPractical:  "Practical",
	FormatWorkshop:   "Workshop",
}

// Label is the format as pages say it.
func (f Format) Label() string { return formatWords.label(f) }

// Valid tells whether f is one of the formats.
func (f Format) Valid() bool { return formatWords.valid(f) }

// SessionStatus is where a session is in its life: draft → published →
// (cancelled).
type SessionStatus string

// Statuses of a session.
const (
	SessionDraft     SessionStatus = "draft"
	SessionPublished SessionStatus = "published"
	SessionCancelled SessionStatus = "cancelled"
)

var sessionStatusWords = words[SessionStatus]{
	SessionDraft:     "Draft",
	SessionPublished: "Published",
	SessionCancelled: "Cancelled",
}

// Label is the session's status as pages say it.
func (s SessionStatus) Label() string { return sessionStatusWords.label(s) }

// Valid tells whether s is one of the statuses of a session.
func (s SessionStatus) Valid() bool { return sessionStatusWords.valid(s) }

// BookingStatus is whether a booking holds a seat, a place in the queue, or
// nothing any more.
type BookingStatus string

// Statuses of a booking.
const (
	BookingConfirmed  BookingStatus = "confirmed"
	BookingWaitlisted BookingStatus = "waitlisted"
	BookingCancelled  BookingStatus = "cancelled"
)

var bookingStatusWords = words[BookingStatus]{
	BookingConfirmed:  "Booked",
	BookingWaitlisted: "Waitlisted",
	BookingCancelled:  "Cancelled",
}

// Label is the booking's status as the register says it ("Booked in
// person", "Waitlisted online").
func (s BookingStatus) Label() string { return bookingStatusWords.label(s) }

// Valid tells whether s is one of the statuses of a booking.
func (s BookingStatus) Valid() bool { return bookingStatusWords.valid(s) }

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

var attendanceStatusWords = words[AttendanceStatus]{
	AttendancePresent: "Present",
	AttendanceLate:    "Late",
	AttendanceAbsent:  "Absent",
	AttendanceExcused: "Excused",
}

// Label is the status as the register says it.
func (s AttendanceStatus) Label() string { return attendanceStatusWords.label(s) }

// Valid tells whether s is one of the attendance statuses.
func (s AttendanceStatus) Valid() bool { return attendanceStatusWords.valid(s) }

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

var attendanceSourceWords = words[AttendanceSource]{
	SourceApology:  "Apologies",
	SourceCode:     "Check-in code",
	SourceJoinLink: "Join link",
	SourceImport:   "Meeting report",
	SourceRegister: "Register",
}

// Label is the source as the register says it.
func (s AttendanceSource) Label() string { return attendanceSourceWords.label(s) }

// Valid tells whether s is one of the sources.
func (s AttendanceSource) Valid() bool { return attendanceSourceWords.valid(s) }

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

var roleWords = words[Role]{
	RoleStudent:   "Student",
	RoleTeacher:   "Teacher",
	RoleCommittee: "Committee",
}

// Label is the role as pages say it.
func (r Role) Label() string { return roleWords.label(r) }

// Valid tells whether r is one of the roles.
func (r Role) Valid() bool { return roleWords.valid(r) }

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

var importActionWords = words[ImportAction]{
	ImportMarkPresent:  "Will be marked present",
	ImportTooShort:     "Not marked: stayed too short a time",
	ImportTeacher:      "Not marked: a teacher of the session",
	ImportUnmatched:    "Not marked: no member matched",
	ImportKeptRegister: "Kept as the register says",
}

// Label is what the import's preview says will happen.
func (a ImportAction) Label() string { return importActionWords.label(a) }

// Valid tells whether a is one of the import's actions.
func (a ImportAction) Valid() bool { return importActionWords.valid(a) }

// CertificateKind is what a certificate certifies.
type CertificateKind string

// Kinds of certificate.
const (
	CertificateAttendance CertificateKind = "attendance"
	CertificateTeaching   CertificateKind = "teaching"
)

var certificateKindWords = words[CertificateKind]{
	CertificateAttendance: "Certificate of attendance",
	CertificateTeaching:   "Teaching certificate",
}

// Label is the certificate's name, as its page and the list of
// certificates head it.
func (k CertificateKind) Label() string { return certificateKindWords.label(k) }

// Valid tells whether k is one of the kinds of certificate.
func (k CertificateKind) Valid() bool { return certificateKindWords.valid(k) }

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

var benefitWords = words[Benefit]{
	BenefitKnowledge:       "Knowledge",
	BenefitMotivation:      "Motivation",
	BenefitCommunity:       "Community",
	BenefitExamPreparation: "Exam preparation",
	BenefitClinicalSkills:  "Clinical skills",
	BenefitConfidence:      "Confidence",
}

// Label is the benefit as the feedback form and its summary say it.
func (b Benefit) Label() string { return benefitWords.label(b) }

// Valid tells whether b is one of the benefits.
func (b Benefit) Valid() bool { return benefitWords.valid(b) }

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

var mailKindWords = words[MailKind]{
	MailWelcome:           "Welcome",
	MailPasswordReset:     "Password reset",
	MailEmailConfirmation: "Address confirmation",
	MailBookingConfirmed:  "Booking confirmed",
	MailWaitlistPromoted:  "Off the waitlist",
	MailSessionChanged:    "Session changed",
	MailSessionCancelled:  "Session cancelled",
	MailSessionReminder:   "Session reminder",
	MailFeedbackRequest:   "Feedback request",
	MailFeedbackReminder:  "Feedback reminder",
	MailCertificateIssued: "Certificate issued",
	MailRegisterReminder:  "Register reminder",
	MailMaterialsAdded:    "Materials added",
}

// Label is the kind of e-mail as the outbox page lists it.
func (k MailKind) Label() string { return mailKindWords.label(k) }

// Valid tells whether k is one of the kinds of e-mail.
func (k MailKind) Valid() bool { return mailKindWords.valid(k) }

// OutboxStatus is where an e-mail is on its way.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"  // gave up after MaxDeliveryAttempts
	OutboxSkipped OutboxStatus = "skipped" // no longer worth sending (the session has passed, say)
)

var outboxStatusWords = words[OutboxStatus]{
	OutboxPending: "Pending",
	OutboxSent:    "Sent",
	OutboxFailed:  "Failed",
	OutboxSkipped: "Skipped",
}

// Label is the status as the outbox page shows it.
func (s OutboxStatus) Label() string { return outboxStatusWords.label(s) }

// Valid tells whether s is one of the outbox statuses.
func (s OutboxStatus) Valid() bool { return outboxStatusWords.valid(s) }

// MaterialKind is what a session's material is: a file kept by Rounds, or
// a link to somewhere else.
type MaterialKind string

// Kinds of material.
const (
	MaterialFile MaterialKind = "file"
	MaterialLink MaterialKind = "link"
)

var materialKindWords = words[MaterialKind]{
	MaterialFile: "File",
	MaterialLink: "Link",
}

// Label is the kind as pages say it.
func (k MaterialKind) Label() string { return materialKindWords.label(k) }

// Valid tells whether k is one of the kinds of material.
func (k MaterialKind) Valid() bool { return materialKindWords.valid(k) }

// MaterialVisibility is who sees a material besides the session's
// teachers and committee.
type MaterialVisibility string

// Who sees a material.
const (
	VisibleBookedBefore   MaterialVisibility = "booked_before"   // students with a place, from now on
	VisibleAttendeesAfter MaterialVisibility = "attendees_after" // those who came, once it has ended
)

// MaterialVisibilities lists them in the order forms offer them.
var MaterialVisibilities = []MaterialVisibility{VisibleBookedBefore, VisibleAttendeesAfter}

var materialVisibilityWords = words[MaterialVisibility]{
	VisibleBookedBefore:   "Students with a place, before and after the session",
	VisibleAttendeesAfter: "Only those who came, after the session",
}

// Label is who sees the material, as pages say it.
func (v MaterialVisibility) Label() string { return materialVisibilityWords.label(v) }

// Valid tells whether v is one of the visibilities.
func (v MaterialVisibility) Valid() bool { return materialVisibilityWords.valid(v) }

// MailMaterialsAdded tells students that materials were added after a
// session.
const MailMaterialsAdded MailKind = "materials_added"

// MailTopic is a kind of optional e-mail a member may turn off on their
// account page or with the one-click link in its List-Unsubscribe header.
// E-mail about a member's own seat (booked, off the waitlist, changed,
// cancelled) and about their account (welcome, password) always goes.
type MailTopic string

// Optional e-mail topics.
const (
	TopicSessionReminders  MailTopic = "session_reminders"
	TopicFeedbackRequests  MailTopic = "feedback_requests"
	TopicCertificates      MailTopic = "certificates"
	TopicRegisterReminders MailTopic = "register_reminders"
)

// MailTopics lists the optional topics in the order the account page shows
// them.
var MailTopics = []MailTopic{TopicSessionReminders, TopicFeedbackRequests, TopicCertificates, TopicRegisterReminders}

var mailTopicWords = words[MailTopic]{
	TopicSessionReminders:  "Reminders the day before a session you booked",
	TopicFeedbackRequests:  "Requests for feedback after a session you attended, and one reminder",
	TopicCertificates:      "A note when a certificate is ready",
	TopicRegisterReminders: "Reminders to take the register after a session you taught",
}

// Label is the topic as the account page offers it.
func (t MailTopic) Label() string { return mailTopicWords.label(t) }

// Valid tells whether t is one of the optional topics.
func (t MailTopic) Valid() bool { return mailTopicWords.valid(t) }

// Modes lists a session's modes in the order forms offer them.
var Modes = []Mode{ModeInPerson, ModeOnline, ModeHybrid}

// SessionStatuses lists a session's statuses in the order of its life.
var SessionStatuses = []SessionStatus{SessionDraft, SessionPublished, SessionCancelled}

// RegisterPlace is how a member comes to be on a session's register. The
// register's labels, its figures and the dashboard's walk-ins all read it
// from PlaceOnRegister.
type RegisterPlace string

// Places on a register.
const (
	PlaceBooked     RegisterPlace = "booked"     // holds a confirmed seat
	PlaceWaitlisted RegisterPlace = "waitlisted" // queued for a seat, and has not come
	PlaceWalkIn     RegisterPlace = "walk_in"    // came without a confirmed seat
	PlaceApologies  RegisterPlace = "apologies"  // gave up their place with apologies
	PlaceNotBooked  RegisterPlace = "not_booked" // no seat, and did not come
)

var registerPlaceWords = words[RegisterPlace]{
	PlaceBooked:     "Booked",
	PlaceWaitlisted: "Waitlisted",
	PlaceWalkIn:     "Walk-in",
	PlaceApologies:  "Sent apologies",
	PlaceNotBooked:  "Not booked",
}

// Label is the place as the register says it.
func (p RegisterPlace) Label() string { return registerPlaceWords.label(p) }

// Valid tells whether p is one of the places on a register.
func (p RegisterPlace) Valid() bool { return registerPlaceWords.valid(p) }

// Words of mentoring schemes (see mentoring.go).

// SchemeStatus is where a mentoring scheme is in its life: draft → open
// (taking applications) → matched (pairs published) → running → closed.
type SchemeStatus string

// Statuses of a mentoring scheme.
const (
	SchemeDraft   SchemeStatus = "draft"
	SchemeOpen    SchemeStatus = "open"
	SchemeMatched SchemeStatus = "matched"
	SchemeRunning SchemeStatus = "running"
	SchemeClosed  SchemeStatus = "closed"
)

var schemeStatusWords = words[SchemeStatus]{
	SchemeDraft:   "Draft",
	SchemeOpen:    "Taking applications",
	SchemeMatched: "Pairs introduced",
	SchemeRunning: "Running",
	SchemeClosed:  "Finished",
}

// Label is the scheme's status as pages say it.
func (s SchemeStatus) Label() string { return schemeStatusWords.label(s) }

// Valid tells whether s is one of the statuses of a scheme.
func (s SchemeStatus) Valid() bool { return schemeStatusWords.valid(s) }

// MentoringRole is which side of a pair a member applies for.
type MentoringRole string

// Sides of a mentoring pair.
const (
	RoleMentor MentoringRole = "mentor"
	RoleMentee MentoringRole = "mentee"
)

var mentoringRoleWords = words[MentoringRole]{
	RoleMentor: "Mentor",
	RoleMentee: "Mentee",
}

// Label is the side as pages say it.
func (r MentoringRole) Label() string { return mentoringRoleWords.label(r) }

// Valid tells whether r is one of the sides.
func (r MentoringRole) Valid() bool { return mentoringRoleWords.valid(r) }

// MeetingPreference is how an applicant would rather meet.
type MeetingPreference string

// How an applicant would rather meet.
const (
	PreferInPerson MeetingPreference = "in_person"
	PreferOnline   MeetingPreference = "online"
	PreferEither   MeetingPreference = "either"
)

var meetingPreferenceWords = words[MeetingPreference]{
	PreferInPerson: "In person",
	PreferOnline:   "Online",
	PreferEither:   "In person or online",
}

// Label is the preference as pages say it.
func (p MeetingPreference) Label() string { return meetingPreferenceWords.label(p) }

// Valid tells whether p is one of the preferences.
func (p MeetingPreference) Valid() bool { return meetingPreferenceWords.valid(p) }

// PairStatus is where a mentoring pair is: proposed by the matcher or by
// hand, active once published, ended.
type PairStatus string

// Statuses of a mentoring pair.
const (
	PairProposed PairStatus = "proposed"
	PairActive   PairStatus = "active"
	PairEnded    PairStatus = "ended"
)

var pairStatusWords = words[PairStatus]{
	PairProposed: "Proposed",
	PairActive:   "Meeting",
	PairEnded:    "Ended",
}

// Label is the pair's status as pages say it.
func (s PairStatus) Label() string { return pairStatusWords.label(s) }

// Valid tells whether s is one of the statuses of a pair.
func (s PairStatus) Valid() bool { return pairStatusWords.valid(s) }

// MeetingStatus is whether the other side of a pair has accepted a meeting.
type MeetingStatus string

// Statuses of a mentoring meeting.
const (
	MeetingProposed MeetingStatus = "proposed"
	MeetingAccepted MeetingStatus = "accepted"
)

var meetingStatusWords = words[MeetingStatus]{
	MeetingProposed: "Waiting for a yes",
	MeetingAccepted: "Agreed",
}

// Label is the meeting's status as pages say it.
func (s MeetingStatus) Label() string { return meetingStatusWords.label(s) }

// Valid tells whether s is one of the statuses of a meeting.
func (s MeetingStatus) Valid() bool { return meetingStatusWords.valid(s) }

// QuestionPhase is when a questionnaire is asked: before or after a scheme.
type QuestionPhase string

// Phases of a scheme's questionnaires.
const (
	PhaseBefore QuestionPhase = "before"
	PhaseAfter  QuestionPhase = "after"
)

var questionPhaseWords = words[QuestionPhase]{
	PhaseBefore: "Before",
	PhaseAfter:  "After",
}

// Label is the phase as pages say it.
func (p QuestionPhase) Label() string { return questionPhaseWords.label(p) }

// Valid tells whether p is one of the phases.
func (p QuestionPhase) Valid() bool { return questionPhaseWords.valid(p) }

// ItemKind is how a questionnaire item is answered.
type ItemKind string

// Kinds of questionnaire item.
const (
	ItemLikert ItemKind = "likert" // 1 (strongly disagree) to 5 (strongly agree)
	ItemText   ItemKind = "text"
)

var itemKindWords = words[ItemKind]{
	ItemLikert: "Agree or disagree, 1 to 5",
	ItemText:   "Free text",
}

// Label is the kind as the questionnaire editor says it.
func (k ItemKind) Label() string { return itemKindWords.label(k) }

// Valid tells whether k is one of the kinds of item.
func (k ItemKind) Valid() bool { return itemKindWords.valid(k) }

// Audience is who a questionnaire item is for.
type Audience string

// Audiences of a questionnaire item.
const (
	AudienceMentor Audience = "mentor"
	AudienceMentee Audience = "mentee"
	AudienceBoth   Audience = "both"
)

var audienceWords = words[Audience]{
	AudienceMentor: "Mentors",
	AudienceMentee: "Mentees",
	AudienceBoth:   "Mentors and mentees",
}

// Label is the audience as pages say it.
func (a Audience) Label() string { return audienceWords.label(a) }

// Valid tells whether a is one of the audiences.
func (a Audience) Valid() bool { return audienceWords.valid(a) }

// For tells whether an item for a is asked of someone on side r.
func (a Audience) For(r MentoringRole) bool { return a == AudienceBoth || string(a) == string(r) }

// CertificateMentoring certifies a mentor's part in a scheme.
const CertificateMentoring CertificateKind = "mentoring"

// E-mail kinds of mentoring.
const (
	MailMentorInvitation      MailKind = "mentor_invitation"
	MailMentoringIntroduction MailKind = "mentoring_introduction"
	MailMentoringUnmatched    MailKind = "mentoring_unmatched"
	MailMeetingProposed       MailKind = "meeting_proposed"
	MailMeetingConfirmed      MailKind = "meeting_confirmed"
	MailMeetingReminder       MailKind = "meeting_reminder"
	MailMentoringNudge        MailKind = "mentoring_nudge"
	MailMentoringLeadsAlert   MailKind = "mentoring_leads_alert"
	MailQuestionnaireRequest  MailKind = "questionnaire_request"
	MailQuestionnaireReminder MailKind = "questionnaire_reminder"
)

func init() {
	for k, w := range map[MailKind]string{
		MailMentorInvitation:      "Mentor invitation",
		MailMentoringIntroduction: "Mentoring introduction",
		MailMentoringUnmatched:    "Not matched this time",
		MailMeetingProposed:       "Meeting proposed",
		MailMeetingConfirmed:      "Meeting agreed",
		MailMeetingReminder:       "Meeting reminder",
		MailMentoringNudge:        "Time to meet",
		MailMentoringLeadsAlert:   "Pair not meeting",
		MailQuestionnaireRequest:  "Questionnaire",
		MailQuestionnaireReminder: "Questionnaire reminder",
	} {
		mailKindWords[k] = w
	}
	certificateKindWords[CertificateMentoring] = "Mentoring certificate"
}

// AuditAction is what a line of the audit log records.
type AuditAction string

// Actions recorded in the audit log.
const (
	AuditRoleChanged      AuditAction = "role_changed"
	AuditRolesChanged     AuditAction = "roles_changed"
	AuditYearRolledOver   AuditAction = "year_rolled_over"
	AuditAttendanceImport AuditAction = "attendance_imported"
	AuditOutboxRead       AuditAction = "outbox_read"
	AuditPrivacyEdited    AuditAction = "privacy_text_edited"
	AuditSSOLinked        AuditAction = "sso_linked"
	AuditDataDownloaded   AuditAction = "data_downloaded"
)

var auditActionWords = words[AuditAction]{
	AuditRoleChanged:      "Changed a member's role",
	AuditRolesChanged:     "Changed several members' roles",
	AuditYearRolledOver:   "Started a new academic year",
	AuditAttendanceImport: "Imported attendance",
	AuditOutboxRead:       "Read the outbox",
	AuditPrivacyEdited:    "Edited the privacy page",
	AuditSSOLinked:        "Linked their account to single sign-on",
	AuditDataDownloaded:   "Downloaded members' data",
}

// Label is the action as the audit log page says it.
func (a AuditAction) Label() string { return auditActionWords.label(a) }
