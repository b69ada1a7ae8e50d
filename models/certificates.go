package models

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"rounds/models/store"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Certificate is a verifiable record: a student attended a session, or a
// teacher taught a number of sessions over a period. What it certifies is
// kept as it was when issued.
type Certificate struct {
	ID         int64           `json:"-"`
	Code       string          `json:"code"`
	Kind       CertificateKind `json:"kind"`
	UserID     int64           `json:"-"`
	SessionID  *int64          `json:"-"`
	Title      string          `json:"title"`
	Data       string          `json:"-"`
	PeriodFrom *time.Time      `json:"-"`
	PeriodTo   *time.Time      `json:"-"`
	IssuedAt   time.Time       `json:"issued_at"`
	// WithdrawnAt: the member's account was erased; the verification page
	// says the certificate is withdrawn and its PDF is no longer served.
	WithdrawnAt *time.Time `json:"-"`
}

// AttendanceFacts is what an attendance certificate says.
type AttendanceFacts struct {
	StudentName     string    `json:"student_name"`
	SessionTitle    string    `json:"session_title"`
	Topic           string    `json:"topic"`
	Format          Format    `json:"format"`
	Mode            Mode      `json:"mode"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	DurationMinutes int       `json:"duration_minutes"`
	Teachers        []string  `json:"teachers"`
}

// TaughtSession is one line of a teaching certificate.
type TaughtSession struct {
	Title       string    `json:"title"`
	Topic       string    `json:"topic"`
	Format      Format    `json:"format"`
	StartsAt    time.Time `json:"starts_at"`
	Hours       float64   `json:"hours"`
	Attendees   int       `json:"attendees"`
	Responses   int       `json:"responses"`
	OverallAvg  *float64  `json:"overall_avg"`
	TeachingAvg *float64  `json:"teaching_avg"`
}

// TeachingFacts is what a teaching certificate says.
type TeachingFacts struct {
	TeacherName    string          `json:"teacher_name"`
	From           time.Time       `json:"from"`
	To             time.Time       `json:"to"`
	Sessions       []TaughtSession `json:"sessions"`
	TotalSessions  int             `json:"total_sessions"`
	TotalHours     float64         `json:"total_hours"`
	TotalAttendees int             `json:"total_attendees"`
	Responses      int             `json:"responses"`
	OverallAvg     *float64        `json:"overall_avg"`
	TeachingAvg    *float64        `json:"teaching_avg"`
}

// Attendance decodes an attendance certificate's facts.
func (c Certificate) Attendance() (AttendanceFacts, error) {
	var f AttendanceFacts
	err := json.Unmarshal([]byte(c.Data), &f)
	return f, err
}

// Teaching decodes a teaching certificate's facts.
func (c Certificate) Teaching() (TeachingFacts, error) {
	var f TeachingFacts
	err := json.Unmarshal([]byte(c.Data), &f)
	return f, err
}

const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCertificateCode returns a code like RND-7KQ2-M9XA: short enough to type
// on the verification page, too many to guess.
func newCertificateCode() string {
	var b strings.Builder
	b.WriteString("RND-")
	for i := 0; i < 8; i++ {
		if i == 4 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			panic(fmt.Errorf("crypto/rand: %w", err))
		}
		b.WriteByte(codeAlphabet[n.Int64()])
	}
	return b.String()
}

// NormalizeCertificateCode upper-cases a typed code and restores its dashes.
func NormalizeCertificateCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(s) == 11 && strings.HasPrefix(s, "RND") {
		return s[:3] + "-" + s[3:7] + "-" + s[7:]
	}
	return s
}

func issueAttendanceCertificate(tx *gorm.DB, student User, s Session, a Attendance, now time.Time) (Certificate, error) {
	teachers, err := sessionTeachers(tx, s.ID)
	if err != nil {
		return Certificate{}, err
	}
	facts := AttendanceFacts{StudentName: student.Name, SessionTitle: s.Title, Topic: s.Topic, Format: s.Format, Mode: a.Mode,
		StartsAt: s.StartsAt, EndsAt: s.EndsAt, DurationMinutes: int(s.EndsAt.Sub(s.StartsAt).Minutes())}
	for _, t := range teachers {
		facts.Teachers = append(facts.Teachers, t.Name)
	}
	data, _ := json.Marshal(facts)
	sid := s.ID
	c := Certificate{Code: newCertificateCode(), Kind: CertificateAttendance, UserID: student.ID, SessionID: &sid,
		Title: s.Title, Data: string(data), IssuedAt: now.UTC()}
	if err := tx.Create(&c).Error; err != nil {
		if isDuplicate(err) { // already issued: return the one there is
			err = tx.Where("kind = ? AND user_id = ? AND session_id = ?", CertificateAttendance, student.ID, s.ID).Take(&c).Error
			return c, err
		}
		return Certificate{}, err
	}
	_, err = enqueue(tx, Email{Kind: MailCertificateIssued, UserID: student.ID, SessionID: s.ID, To: student.Email, ToName: student.Name,
		Data: map[string]string{"code": c.Code, "title": s.Title}}, now)
	return c, err
}

// IssueTeachingCertificate records what a teacher taught in [from, to):
// sessions that took place (published, ended), hours, attendees and feedback
// averages, each over the answers its session may show (releasedAnswers):
// a session below the anonymity threshold has no averages and adds none.
func IssueTeachingCertificate(ctx context.Context, st *store.Store, teacher User, from, to time.Time, minResponses int, now time.Time) (Certificate, error) {
	if !to.After(from) {
		return Certificate{}, &ValidationError{Fields: map[string]string{"to": "Choose an end after the start."}}
	}
	if to.Sub(from) > 10*366*24*time.Hour {
		return Certificate{}, &ValidationError{Fields: map[string]string{"from": "Choose a period of at most ten years."}}
	}
	if to.After(now) {
		to = now // a record cannot speak for teaching that has not happened yet
	}
	if !to.After(from) {
		return Certificate{}, &ValidationError{Fields: map[string]string{"from": "Choose a start in the past: a certificate covers teaching that has happened."}}
	}
	var c Certificate
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var sessions []Session
		err := tx.Model(&Session{}).Joins("JOIN session_teachers st ON st.session_id = sessions.id").
			Where("st.user_id = ? AND sessions.status = ? AND sessions.starts_at >= ? AND sessions.starts_at < ? AND sessions.ends_at <= ?",
				teacher.ID, SessionPublished, from.UTC(), to.UTC(), now.UTC()).
			Order("sessions.starts_at").Find(&sessions).Error
		if err != nil {
			return err
		}
		facts := TeachingFacts{TeacherName: teacher.Name, From: from.UTC(), To: to.UTC(), Sessions: []TaughtSession{}}
		ids := make([]int64, len(sessions))
		for i, s := range sessions {
			ids[i] = s.ID
		}
		attended, answers, err := attendanceAndAnswers(tx, ids)
		if err != nil {
			return err
		}
		for _, s := range sessions {
			shown := releasedAnswers(answers[s.ID], minResponses)
			sum := summariseAnswers(attended[s.ID], len(answers[s.ID]), shown)
			ts := TaughtSession{Title: s.Title, Topic: s.Topic, Format: s.Format, StartsAt: s.StartsAt,
				Hours: round2(s.EndsAt.Sub(s.StartsAt).Hours()), Attendees: sum.Attended, Responses: sum.Responses,
				OverallAvg: sum.OverallAvg, TeachingAvg: sum.TeachingAvg}
			facts.Sessions = append(facts.Sessions, ts)
			facts.TotalHours += ts.Hours
			facts.TotalAttendees += ts.Attendees
		}
		// The whole period as every other total: over the answers each
		// session may show (totalOf).
		total := totalOf(attended, answers, minResponses)
		facts.Responses, facts.OverallAvg, facts.TeachingAvg = total.Shown, total.OverallAvg, total.TeachingAvg
		facts.TotalSessions = len(sessions)
		facts.TotalHours = round2(facts.TotalHours)
		data, _ := json.Marshal(facts)
		f, t := from.UTC(), to.UTC()
		c = Certificate{Code: newCertificateCode(), Kind: CertificateTeaching, UserID: teacher.ID,
			Title: fmt.Sprintf("Teaching record: %d session%s", facts.TotalSessions, plural(facts.TotalSessions)),
			Data:  string(data), PeriodFrom: &f, PeriodTo: &t, IssuedAt: now.UTC()}
		return tx.Create(&c).Error
	})
	return c, err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// CertificateByCode finds a certificate for the public verification page.
func CertificateByCode(ctx context.Context, st *store.Store, code string) (Certificate, error) {
	db := st.Read(ctx)
	var c Certificate
	err := db.Where("code = ?", NormalizeCertificateCode(code)).Take(&c).Error
	return c, notFound(err)
}

// CertificatesOf lists a member's certificates, newest first.
func CertificatesOf(ctx context.Context, st *store.Store, userID int64) ([]Certificate, error) {
	db := st.Read(ctx)
	var out []Certificate
	err := db.Where("user_id = ?", userID).Order("issued_at DESC, id DESC").Find(&out).Error
	return out, err
}
