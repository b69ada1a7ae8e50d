package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The rules of mentoring, as plain functions over plain values: who may
// mentor and be mentored, when applications are taken, which pairs the
// matcher may make and how it scores them, and when a pair is nudged.

// MentorRule says who may apply to mentor in a scheme: members with one of
// the roles, members at least in year MinYear of study, or — when Invited —
// those invited by e-mail. Any one is enough.
type MentorRule struct {
	Roles   []Role `json:"roles"`
	MinYear *int   `json:"min_year"`
	Invited bool   `json:"invited"`
}

// Weights are how much each kind of agreement counts in a pair's score:
// Interests for each interest both share, Mode once when their ways of
// meeting suit each other, Availability once when they share a free time.
type Weights struct {
	Interests    int `json:"interests"`
	Mode         int `json:"mode"`
	Availability int `json:"availability"`
}

// DefaultWeights are a new scheme's weights: shared interests matter most.
var DefaultWeights = Weights{Interests: 3, Mode: 2, Availability: 2}

// MaxWeight is the largest weight a committee may give.
const MaxWeight = 10

// NudgeGrace is how long past the scheme's rhythm a pair may go without a
// meeting before it is nudged.
const NudgeGrace = 7 * 24 * time.Hour

func checkWeights(p Problems, w Weights) {
	for name, v := range map[string]int{"interests": w.Interests, "mode": w.Mode, "availability": w.Availability} {
		if v < 0 || v > MaxWeight {
			p.Add("weights."+name, fmt.Sprintf("Give a weight from 0 to %d.", MaxWeight))
		}
	}
}

func checkMentorRule(p Problems, r MentorRule) {
	for _, role := range r.Roles {
		if !role.Valid() {
			p.Add("mentor_rule.roles", "Choose roles from student, teacher and committee.")
		}
	}
	if r.MinYear != nil && (*r.MinYear < 1 || *r.MinYear > 6) {
		p.Add("mentor_rule.min_year", "Give a year of study from 1 to 6, or none.")
	}
	if len(r.Roles) == 0 && r.MinYear == nil && !r.Invited {
		p.Add("mentor_rule", "Say who may mentor: some roles, a year of study, or invited mentors.")
	}
}

// mayMentor tells whether u may apply to mentor under rule; invited says
// whether u has taken up an invitation to the scheme.
func mayMentor(rule MentorRule, u User, invited bool) bool {
	switch {
	case rule.Invited && invited:
		return true
	case slices.Contains(rule.Roles, u.Role):
		return true
	case rule.MinYear != nil && u.YearOfStudy != nil && *u.YearOfStudy >= *rule.MinYear:
		return true
	}
	return false
}

// mayBeMentored tells whether u is in one of the years a scheme mentors.
func mayBeMentored(years YearGroups, u User) bool {
	return u.YearOfStudy != nil && years.Has(*u.YearOfStudy)
}

// applicationsError says why applications are not taken at now, or nil.
func applicationsError(s Scheme, now time.Time) error {
	switch {
	case s.Status != SchemeOpen:
		return ErrApplicationsClosed
	case now.Before(s.ApplicationsOpen):
		return ErrApplicationsNotYetOpen
	case !now.Before(s.ApplicationsClose):
		return ErrApplicationsClosed
	}
	return nil
}

// applicationChangeError says why an application can no longer be changed
// or withdrawn, or nil: only until the pairs are published.
func applicationChangeError(s Scheme) error {
	if s.Status != SchemeOpen {
		return ErrMatchingDone
	}
	return nil
}

// applicant is what the matching rules know of one applicant.
type applicant struct {
	UserID       int64
	Name         string
	Role         Role
	Year         *int
	Interests    []string
	Mode         MeetingPreference
	Availability []string
	Exclude      []int64
	Capacity     int
	free         map[string]bool // Availability as parts of days; nil until needed
}

// freeTimes is the applicant's availability as parts of days.
func (a *applicant) freeTimes() map[string]bool {
	if a.free == nil {
		a.free = expandTimes(a.Availability)
	}
	return a.free
}

// pairPoints is pairScore's score alone, without the words: the matcher
// scores every allowed pair.
func pairPoints(w Weights, mentor, mentee *applicant) int64 {
	var score int64
	for i, x := range mentee.Interests {
		if slices.Contains(mentor.Interests, x) && !slices.Contains(mentee.Interests[:i], x) {
			score += int64(w.Interests)
		}
	}
	if modesSuit(mentor.Mode, mentee.Mode) {
		score += int64(w.Mode)
	}
	mf, ef := mentor.freeTimes(), mentee.freeTimes()
	for t := range ef {
		if mf[t] {
			score += int64(w.Availability)
			break
		}
	}
	return score
}

// pairRefusal says, in words, why mentor may not mentor mentee, or "" when
// the hard rules allow it: not the same person; the mentor at least two
// years of study ahead, or a graduate (a doctor) or a teacher; nobody
// paired with someone they asked not to be.
func pairRefusal(mentor, mentee applicant) string {
	switch {
	case mentor.UserID == mentee.UserID:
		return "Nobody can mentor themselves."
	case slices.Contains(mentor.Exclude, mentee.UserID) || slices.Contains(mentee.Exclude, mentor.UserID):
		return "One of them asked not to be paired with the other."
	case mentor.Year == nil || mentor.Role == RoleTeacher:
		return ""
	case mentee.Year == nil || *mentor.Year < *mentee.Year+2:
		return "The mentor must be at least two years of study ahead, a teacher or a doctor."
	}
	return ""
}

// modesSuit tells whether two ways of meeting suit each other.
func modesSuit(a, b MeetingPreference) bool {
	return a == b || a == PreferEither || b == PreferEither
}

// pairScore is the score of a pair the hard rules allow, and the reasons
// for it in words ("both: general practice, research"; "both prefer
// online"; "both free: Tuesday evenings").
func pairScore(w Weights, mentor, mentee applicant) (int64, []string) {
	var score int64
	var reasons []string
	var shared []string
	for _, i := range mentee.Interests {
		if slices.Contains(mentor.Interests, i) && !slices.Contains(shared, i) {
			shared = append(shared, i)
		}
	}
	if len(shared) > 0 {
		score += int64(w.Interests * len(shared))
		reasons = append(reasons, "both: "+strings.ToLower(strings.Join(shared, ", ")))
	}
	if modesSuit(mentor.Mode, mentee.Mode) {
		score += int64(w.Mode)
		reasons = append(reasons, modeReason(mentor.Mode, mentee.Mode))
	}
	if times := sharedTimes(mentor.Availability, mentee.Availability); len(times) > 0 {
		score += int64(w.Availability)
		reasons = append(reasons, "both free: "+strings.Join(times, ", "))
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "no interest or time in common; paired so that nobody is left out")
	}
	return score, reasons
}

func modeReason(a, b MeetingPreference) string {
	switch {
	case a == b && a == PreferEither:
		return "both happy to meet in person or online"
	case a == b:
		return "both prefer " + strings.ToLower(a.Label())
	case a == PreferEither:
		return strings.ToLower(b.Label()) + " suits both"
	default:
		return strings.ToLower(a.Label()) + " suits both"
	}
}

// Availability: a free time is a part of a day ("tue_evening"), or one of
// the broad times that stand for several ("weekday_evenings").
var (
	availDays  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	dayNames   = map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
	availParts = []string{"morning", "afternoon", "evening"}
	broadTimes = []struct {
		key, label string
		days       []string
		parts      []string
	}{
		{"weekday_daytime", "weekday daytimes", availDays[:5], availParts[:2]},
		{"weekday_evenings", "weekday evenings", availDays[:5], availParts[2:]},
		{"weekends", "weekends", availDays[5:], availParts},
	}
)

// AvailabilityOptions lists every free time an applicant may give, broad
// ones first, with the words pages show.
func AvailabilityOptions() [][2]string {
	var out [][2]string
	for _, b := range broadTimes {
		out = append(out, [2]string{b.key, capitalise(b.label)})
	}
	for _, d := range availDays {
		for _, p := range availParts {
			out = append(out, [2]string{d + "_" + p, dayNames[d] + " " + p + "s"})
		}
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// cleanTime reads a free time as an applicant gave it: one Rounds knows
// ("weekday_evenings", "tue_evening"), written with spaces or capitals or
// not, or any other short phrase ("lunchtimes"), which matches only the
// same phrase. It returns false for nothing or too long a phrase.
func cleanTime(s string) (string, bool) {
	t := strings.Join(strings.Fields(strings.ToLower(s)), "_")
	if t == "" || len(t) > 40 || !plainText(t) {
		return "", false
	}
	return t, true
}

// knownTime tells whether s is a part of a day or a broad time.
func knownTime(s string) bool {
	for _, b := range broadTimes {
		if s == b.key {
			return true
		}
	}
	d, p, ok := strings.Cut(s, "_")
	return ok && slices.Contains(availDays, d) && slices.Contains(availParts, p)
}

// expandTimes turns free times into parts of days.
func expandTimes(times []string) map[string]bool {
	out := map[string]bool{}
	for _, t := range times {
		expanded := false
		for _, b := range broadTimes {
			if t == b.key {
				for _, d := range b.days {
					for _, p := range b.parts {
						out[d+"_"+p] = true
					}
				}
				expanded = true
			}
		}
		if !expanded {
			out[t] = true
		}
	}
	return out
}

// sharedTimes are the times both are free, in words: a broad time when
// all of it is shared, else each part of a day ("Tuesday evenings").
func sharedTimes(a, b []string) []string {
	ea, eb := expandTimes(a), expandTimes(b)
	both := map[string]bool{}
	for t := range ea {
		if eb[t] {
			both[t] = true
		}
	}
	var out []string
	for _, bt := range broadTimes {
		all := true
		for _, d := range bt.days {
			for _, p := range bt.parts {
				all = all && both[d+"_"+p]
			}
		}
		if all {
			out = append(out, bt.label)
			for _, d := range bt.days {
				for _, p := range bt.parts {
					delete(both, d+"_"+p)
				}
			}
		}
	}
	for _, d := range availDays {
		for _, p := range availParts {
			if both[d+"_"+p] {
				out = append(out, dayNames[d]+" "+p+"s")
			}
		}
	}
	var other []string
	for t := range both {
		if !knownTime(t) {
			other = append(other, strings.ReplaceAll(t, "_", " "))
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// nudgeStage says what a pair that last met at anchor (or was introduced
// then) is due at now, with the scheme's rhythm: 0 nothing; 1 a friendly
// nudge (the rhythm and a grace week have passed); 2 the scheme's leads
// are told as well (two rhythms and the grace week have passed).
func nudgeStage(anchor time.Time, every time.Duration, now time.Time) int {
	switch {
	case !now.Before(anchor.Add(2*every + NudgeGrace)):
		return 2
	case !now.Before(anchor.Add(every + NudgeGrace)):
		return 1
	}
	return 0
}
