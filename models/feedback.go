package models

import (
	"context"
	"errors"
	"math"
	"rounds/models/store"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Errors of the feedback rules.
var (
	ErrFeedbackGiven    = &Error{KindConflict, "feedback_already_given", "You have already given feedback on this session. Thank you!"}
	ErrDidNotAttend     = &Error{KindForbidden, "did_not_attend", "Feedback is for students who attended this session."}
	ErrFeedbackTooEarly = &Error{KindConflict, "feedback_not_open", "Feedback opens 10 minutes before the session ends."}
)

const maxFeedbackText = 2000

// Feedback is one attendee's answer about a session. It is never shown with
// the student's name.
type Feedback struct {
	ID               int64     `json:"-"`
	SessionID        int64     `json:"session_id"`
	UserID           int64     `json:"-"`
	Overall          int       `json:"overall"`
	Teaching         int       `json:"teaching"`
	ConfidenceBefore int       `json:"confidence_before"`
	ConfidenceAfter  int       `json:"confidence_after"`
	Benefits         string    `json:"-"`
	WentWell         string    `json:"went_well"`
	Improve          string    `json:"improve"`
	CreatedAt        time.Time `json:"created_at"`
}

// TableName keeps the table's name as written.
func (Feedback) TableName() string { return "feedback" }

// BenefitList splits the stored benefits.
func (f Feedback) BenefitList() []string {
	if f.Benefits == "" {
		return []string{}
	}
	return strings.Split(f.Benefits, ",")
}

// FeedbackInput is what a student sends.
type FeedbackInput struct {
	Overall          int       `json:"overall"`
	Teaching         int       `json:"teaching"`
	ConfidenceBefore int       `json:"confidence_before"`
	ConfidenceAfter  int       `json:"confidence_after"`
	Benefits         []Benefit `json:"benefits"`
	WentWell         string    `json:"went_well"`
	Improve          string    `json:"improve"`
}

func (in FeedbackInput) check() (string, error) {
	p := Problems{}
	for field, v := range map[string]int{"overall": in.Overall, "teaching": in.Teaching,
		"confidence_before": in.ConfidenceBefore, "confidence_after": in.ConfidenceAfter} {
		if v < 1 || v > 5 {
			p.Add(field, "Choose from 1 to 5.")
		}
	}
	seen := map[Benefit]bool{}
	for _, b := range in.Benefits {
		ok := false
		for _, known := range Benefits {
			ok = ok || b == known
		}
		if !ok {
			p.Add("benefits", "Choose from knowledge, motivation, community, exam preparation, clinical skills and confidence.")
		}
		seen[b] = true
	}
	for field, v := range map[string]string{"went_well": in.WentWell, "improve": in.Improve} {
		if utf8.RuneCountInString(v) > maxFeedbackText {
			p.Add(field, "Use at most 2000 characters.")
		}
		if !utf8.ValidString(v) {
			p.Add(field, "Use plain text.")
		}
	}
	var list []string
	for _, b := range Benefits { // stored in a fixed order, without repeats
		if seen[b] {
			list = append(list, string(b))
		}
	}
	return strings.Join(list, ","), p.Err()
}

// SubmitFeedback stores a student's feedback on a session they attended,
// once, and issues their attendance certificate with its e-mail, in one
// transaction.
func SubmitFeedback(ctx context.Context, st *store.Store, student User, sessionID int64, in FeedbackInput, now time.Time) (Feedback, Certificate, error) {
	if err := requireConfirmedEmail(student); err != nil {
		return Feedback{}, Certificate{}, err
	}
	var fb Feedback
	var cert Certificate
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := sessionByID(tx, sessionID)
		if err != nil {
			return err
		}
		a, found, err := attendanceFor(tx, s.ID, student.ID, false)
		if err != nil {
			return err
		}
		if err := feedbackOpen(s, a, found, now); err != nil {
			return err
		}
		// Who may answer is settled before what they wrote is checked.
		benefits, err := in.check()
		if err != nil {
			return err
		}
		fb = Feedback{SessionID: s.ID, UserID: student.ID, Overall: in.Overall, Teaching: in.Teaching,
			ConfidenceBefore: in.ConfidenceBefore, ConfidenceAfter: in.ConfidenceAfter, Benefits: benefits,
			WentWell: strings.TrimSpace(in.WentWell), Improve: strings.TrimSpace(in.Improve), CreatedAt: now.UTC()}
		if err := tx.Create(&fb).Error; err != nil {
			if isDuplicate(err) {
				return ErrFeedbackGiven
			}
			return err
		}
		if cert, err = issueAttendanceCertificate(tx, student, s, a, now); err != nil {
			return err
		}
		return markFiguresStale(tx, s.ID)
	})
	return fb, cert, err
}

// HasGivenFeedback tells whether the student has answered for the session.
func HasGivenFeedback(ctx context.Context, st *store.Store, userID, sessionID int64) (bool, error) {
	db := st.Read(ctx)
	var n int64
	err := db.Model(&Feedback{}).Where("session_id = ? AND user_id = ?", sessionID, userID).Count(&n).Error
	return n > 0, err
}

// FeedbackComment is a free-text answer, without its author.
type FeedbackComment struct {
	WentWell string `json:"went_well"`
	Improve  string `json:"improve"`
}

// FeedbackSummary sums up the answers about one or more sessions.
// Responses, Attended and ResponseRate count every answer; everything else
// is worked out over the answers that may be shown (Shown, see
// releasedAnswers), and is withheld while there are none.
type FeedbackSummary struct {
	Responses         int               `json:"responses"`
	Attended          int               `json:"attended"`
	ResponseRate      *float64          `json:"response_rate"`
	Withheld          bool              `json:"withheld"`
	OverallAvg        *float64          `json:"overall_avg"`
	TeachingAvg       *float64          `json:"teaching_avg"`
	ConfidenceGainAvg *float64          `json:"confidence_gain_avg"`
	Benefits          map[Benefit]int   `json:"benefits"`
	Comments          []FeedbackComment `json:"comments"`
	// Shown is how many answers the figures, benefits, ratings and
	// comments are worked out from.
	Shown int `json:"shown_responses"`
	// Ratings counts, for each rated question, the shown answers giving
	// each rating from 1 to 5; empty while withheld.
	Ratings map[string]RatingSpread `json:"ratings"`
}

// SessionFeedbackSummary is the summary of one session for its teachers and
// committee. minResponses is the anonymity threshold.
func SessionFeedbackSummary(ctx context.Context, st *store.Store, actor User, sessionID int64, minResponses int) (FeedbackSummary, error) {
	db := st.Read(ctx)
	s, err := manageableSession(db, actor, sessionID)
	if err != nil {
		return FeedbackSummary{}, err
	}
	return summarise(db, []int64{s.ID}, minResponses)
}

// TeacherFeedbackSummary sums up every session the teacher taught that
// started within [from, to): the figures are worked out over the answers
// each session may show, so a session whose answers are withheld adds
// nothing to them.
func TeacherFeedbackSummary(ctx context.Context, st *store.Store, teacherID int64, from, to time.Time, minResponses int) (FeedbackSummary, error) {
	db := st.Read(ctx)
	var ids []int64
	err := db.Table("sessions").Joins("JOIN session_teachers st ON st.session_id = sessions.id").
		Where("st.user_id = ? AND sessions.status = ? AND sessions.starts_at >= ? AND sessions.starts_at < ?",
			teacherID, SessionPublished, from.UTC(), to.UTC()).Pluck("sessions.id", &ids).Error
	if err != nil {
		return FeedbackSummary{}, err
	}
	return summarise(db, ids, minResponses)
}

// SessionFeedbackSummaries sums up each session apart, for the list of the
// sessions a teacher taught, in three queries however many sessions there
// are. Sessions actor does not manage are left out.
func SessionFeedbackSummaries(ctx context.Context, st *store.Store, actor User, sessionIDs []int64, minResponses int) (map[int64]FeedbackSummary, error) {
	db := st.Read(ctx)
	out := map[int64]FeedbackSummary{}
	if len(sessionIDs) == 0 {
		return out, nil
	}
	ids := sessionIDs
	if !actor.IsCommittee() {
		ids = nil
		err := db.Table("session_teachers").Where("user_id = ? AND session_id IN ?", actor.ID, sessionIDs).
			Pluck("session_id", &ids).Error
		if err != nil || len(ids) == 0 {
			return out, err
		}
	}
	attended, answers, err := attendanceAndAnswers(db, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = summariseAnswers(attended[id], len(answers[id]), releasedAnswers(answers[id], minResponses))
	}
	return out, nil
}

// summarise sums up the sessions together: every answer is counted, and the
// figures are worked out over the answers each session may show
// (releasedOfSessions). It is the one definition of a feedback total.
func summarise(db *gorm.DB, sessionIDs []int64, minResponses int) (FeedbackSummary, error) {
	attended, answers, err := attendanceAndAnswers(db, sessionIDs)
	if err != nil {
		return FeedbackSummary{}, err
	}
	return totalOf(attended, answers, minResponses), nil
}

// totalOf sums up the sessions of attendanceAndAnswers together.
func totalOf(attended map[int64]int, answers map[int64][]Feedback, minResponses int) FeedbackSummary {
	came, responses := 0, 0
	for _, n := range attended {
		came += n
	}
	for _, fs := range answers {
		responses += len(fs)
	}
	return summariseAnswers(came, responses, releasedOfSessions(answers, minResponses))
}

// attendanceAndAnswers counts, for each of the sessions, those who came
// (present or late), and gathers its feedback answers: two queries.
func attendanceAndAnswers(db *gorm.DB, sessionIDs []int64) (map[int64]int, map[int64][]Feedback, error) {
	attended, answers := map[int64]int{}, map[int64][]Feedback{}
	if len(sessionIDs) == 0 {
		return attended, answers, nil
	}
	var counts []struct {
		SessionID int64
		N         int
	}
	err := db.Model(&Attendance{}).Select("session_id, COUNT(*) AS n").
		Where("session_id IN ? AND status IN ?", sessionIDs, []AttendanceStatus{AttendancePresent, AttendanceLate}).
		Group("session_id").Scan(&counts).Error
	if err != nil {
		return nil, nil, err
	}
	for _, c := range counts {
		attended[c.SessionID] = c.N
	}
	var all []Feedback
	if err := db.Where("session_id IN ?", sessionIDs).Find(&all).Error; err != nil {
		return nil, nil, err
	}
	for _, f := range all {
		answers[f.SessionID] = append(answers[f.SessionID], f)
	}
	return attended, answers, nil
}

// summariseAnswers sums up the answers of those who came: responses
// answers in all, of which shown may be shown (releasedAnswers or
// releasedOfSessions); with none to show only the counts are given.
func summariseAnswers(attended, responses int, shown []Feedback) FeedbackSummary {
	sum := FeedbackSummary{Benefits: map[Benefit]int{}, Comments: []FeedbackComment{}, Ratings: map[string]RatingSpread{}}
	sum.Attended, sum.Responses, sum.Shown = attended, responses, len(shown)
	if attended > 0 {
		r := round2(float64(responses) / float64(attended))
		sum.ResponseRate = &r
	}
	if len(shown) == 0 {
		sum.Withheld = true
		return sum
	}
	sum.Ratings = ratingSpreads(shown)
	for _, b := range Benefits {
		sum.Benefits[b] = 0
	}
	var overall, teaching, gain float64
	for _, f := range shown {
		overall += float64(f.Overall)
		teaching += float64(f.Teaching)
		gain += float64(f.ConfidenceAfter - f.ConfidenceBefore)
		for _, b := range f.BenefitList() {
			sum.Benefits[Benefit(b)]++
		}
		if f.WentWell != "" || f.Improve != "" {
			sum.Comments = append(sum.Comments, FeedbackComment{WentWell: f.WentWell, Improve: f.Improve})
		}
	}
	n := float64(len(shown))
	o, t, g := round2(overall/n), round2(teaching/n), round2(gain/n)
	sum.OverallAvg, sum.TeachingAvg, sum.ConfidenceGainAvg = &o, &t, &g
	// Comments in a fixed order unrelated to who answered when.
	sort.Slice(sum.Comments, func(i, j int) bool {
		a, b := sum.Comments[i], sum.Comments[j]
		if a.WentWell != b.WentWell {
			return a.WentWell < b.WentWell
		}
		return a.Improve < b.Improve
	})
	return sum
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// FeedbackDue lists the sessions a student attended and has not yet given
// feedback on, whose feedback is open (FeedbackOpensAt), newest first.
func FeedbackDue(ctx context.Context, st *store.Store, studentID int64, now time.Time) ([]Session, error) {
	db := st.Read(ctx)
	var out []Session
	err := db.Model(&Session{}).
		Joins("JOIN attendance a ON a.session_id = sessions.id AND a.user_id = ? AND a.status IN ?", studentID, []AttendanceStatus{AttendancePresent, AttendanceLate}).
		Where("sessions.starts_at <= ? AND sessions.ends_at <= ? AND sessions.status = ?", now.UTC(), now.Add(FeedbackOpensBefore).UTC(), SessionPublished).
		Where("NOT EXISTS (SELECT 1 FROM feedback f WHERE f.session_id = sessions.id AND f.user_id = ?)", studentID).
		Order("sessions.starts_at DESC").Limit(50).Find(&out).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return out, err
}
