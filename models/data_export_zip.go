package models

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// exportTable is one file pair of an export: name.json and name.csv, with
// the same columns in the same order. Values are strings, numbers, booleans,
// times or nil; words with a fixed set of values are given as their labels.
type exportTable struct {
	name  string
	about string // the README's line
	cols  []string
	rows  [][]any
}

func (t *exportTable) add(values ...any) { t.rows = append(t.rows, values) }

// ExportZIP writes u's data as a ZIP file: for each part a JSON file and a
// CSV file (cells of free text formula-escaped as every CSV of Rounds is),
// and a README.txt saying what each file holds. It reads the member's own
// records only: of a mentoring pair, the partner's name, the pair's
// meetings and goals, and the member's own notes, requests and answers —
// never the partner's notes or answers. baseURL makes certificate links.
func ExportZIP(ctx context.Context, st *store.Store, u User, baseURL string, now time.Time) ([]byte, error) {
	db := st.Read(ctx)
	var tables []*exportTable
	for _, part := range []func(*gorm.DB, User, string) ([]*exportTable, error){
		exportProfile, exportSessions, exportMentoring, exportMail,
	} {
		ts, err := part(db, u, baseURL)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		tables = append(tables, ts...)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	readme := exportReadme(u, tables, now)
	for _, f := range []struct {
		name string
		data []byte
	}{{"README.txt", []byte(readme)}} {
		if err := zipFile(zw, f.name, f.data, now); err != nil {
			return nil, err
		}
	}
	for _, t := range tables {
		j, err := t.json()
		if err != nil {
			return nil, err
		}
		c, err := t.csv()
		if err != nil {
			return nil, err
		}
		if err := zipFile(zw, t.name+".json", j, now); err != nil {
			return nil, err
		}
		if err := zipFile(zw, t.name+".csv", c, now); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return buf.Bytes(), nil
}

func zipFile(zw *zip.Writer, name string, data []byte, now time.Time) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now.UTC()})
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	_, err = w.Write(data)
	return err
}

func exportReadme(u User, tables []*exportTable, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your data, as Rounds held it on %s (UTC).\n", now.UTC().Format("2 January 2006 at 15:04"))
	fmt.Fprintf(&b, "Account: %s <%s>\n\n", u.Name, u.Email)
	b.WriteString("Each part comes twice: as JSON (for programs) and as CSV (for a spreadsheet),\n")
	b.WriteString("with the same columns. Times are in UTC, written as 2026-11-02T09:00:00Z.\n")
	b.WriteString("In the CSV files a cell that would start with = + - or @ starts with an\n")
	b.WriteString("apostrophe, so that a spreadsheet shows it as text rather than running it.\n\n")
	for _, t := range tables {
		fmt.Fprintf(&b, "%s.json, %s.csv\n  %s (%d %s)\n", t.name, t.name, t.about, len(t.rows), map[bool]string{true: "row", false: "rows"}[len(t.rows) == 1])
	}
	b.WriteString("\nNot included: other people's data. Of a mentoring pair you get your\n")
	b.WriteString("partner's name, your meetings and goals, and your own notes and answers —\n")
	b.WriteString("never your partner's notes or answers. Feedback you gave is yours; what\n")
	b.WriteString("others said about a session is not. E-mails older than the retention\n")
	b.WriteString("period keep their kind, status and day, but no longer their text.\n")
	return b.String()
}

// json writes the table as an array of objects, keys in column order.
func (t *exportTable) json() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[")
	for i, row := range t.rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, col := range t.cols {
			if j > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(col)
			v, err := json.Marshal(exportJSONValue(row[j]))
			if err != nil {
				return nil, fmt.Errorf("export %s: %w", t.name, err)
			}
			b.Write(k)
			b.WriteString(": ")
			b.Write(v)
		}
		b.WriteString("}")
	}
	if len(t.rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

func exportJSONValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Format(time.RFC3339)
	case *int:
		if x == nil {
			return nil
		}
		return *x
	case *bool:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}

// csv writes the table with a header line; free text is formula-escaped.
func (t *exportTable) csv() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(t.cols); err != nil {
		return nil, err
	}
	for _, row := range t.rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = exportCSVCell(exportJSONValue(v))
		}
		if err := w.Write(cells); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func exportCSVCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return csvSafe(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return csvSafe(fmt.Sprint(v))
}

func exportProfile(db *gorm.DB, u User, _ string) ([]*exportTable, error) {
	fresh, err := userByID(db, u.ID)
	if err != nil {
		return nil, err
	}
	p := &exportTable{name: "profile", about: "Your account: name, e-mail address, role, year of study, and when you joined.",
		cols: []string{"id", "name", "email", "role", "year_of_study", "email_confirmed", "joined_at"}}
	p.add(fresh.ID, fresh.Name, fresh.Email, fresh.Role.Label(), fresh.YearOfStudy, fresh.EmailConfirmed, fresh.CreatedAt)

	var offs []MailTopic
	if err := db.Model(&MailOptOut{}).Where("user_id = ?", u.ID).Pluck("topic", &offs).Error; err != nil {
		return nil, err
	}
	prefs := &exportTable{name: "mail_preferences", about: "The e-mails you may turn off, and whether you receive each.",
		cols: []string{"email", "on"}}
	for _, t := range MailTopics {
		if !topicOffered(t, fresh.Role) {
			continue
		}
		on := true
		for _, o := range offs {
			on = on && o != t
		}
		prefs.add(t.Label(), on)
	}
	return []*exportTable{p, prefs}, nil
}

// exportSessions is the member's bookings, attendance, feedback,
// certificates and teaching.
func exportSessions(db *gorm.DB, u User, baseURL string) ([]*exportTable, error) {
	var bookings []Booking
	if err := db.Where("user_id = ?", u.ID).Order("created_at, id").Find(&bookings).Error; err != nil {
		return nil, err
	}
	var marks []Attendance
	if err := db.Where("user_id = ?", u.ID).Order("created_at, id").Find(&marks).Error; err != nil {
		return nil, err
	}
	var answers []Feedback
	if err := db.Where("user_id = ?", u.ID).Order("created_at, id").Find(&answers).Error; err != nil {
		return nil, err
	}
	var certs []Certificate
	if err := db.Where("user_id = ?", u.ID).Order("issued_at, id").Find(&certs).Error; err != nil {
		return nil, err
	}
	var taught []int64
	if err := db.Model(&sessionTeacherRow{}).Where("user_id = ?", u.ID).Pluck("session_id", &taught).Error; err != nil {
		return nil, err
	}
	ids := append([]int64(nil), taught...)
	for _, b := range bookings {
		ids = append(ids, b.SessionID)
	}
	for _, a := range marks {
		ids = append(ids, a.SessionID)
	}
	for _, f := range answers {
		ids = append(ids, f.SessionID)
	}
	sessions := map[int64]Session{}
	ids = dedupe(ids)
	for start := 0; start < len(ids); start += 500 {
		var ss []Session
		if err := db.Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&ss).Error; err != nil {
			return nil, err
		}
		for _, s := range ss {
			sessions[s.ID] = s
		}
	}

	bt := &exportTable{name: "bookings", about: "Your bookings: the session, its times, in person or online, and the booking's status.",
		cols: []string{"session_id", "session_title", "starts_at", "ends_at", "mode", "status", "booked_at", "cancelled_at"}}
	for _, b := range bookings {
		s := sessions[b.SessionID]
		b = bookingAsShown(s, b)
		bt.add(b.SessionID, s.Title, s.StartsAt, s.EndsAt, b.Mode.Label(), b.Status.Label(), b.CreatedAt, b.CancelledAt)
	}
	at := &exportTable{name: "attendance", about: "Your attendance: present, late, absent or excused, and how it was recorded.",
		cols: []string{"session_id", "session_title", "starts_at", "ends_at", "status", "mode", "recorded_by", "checked_in_at", "minutes_online"}}
	for _, a := range marks {
		s := sessions[a.SessionID]
		at.add(a.SessionID, s.Title, s.StartsAt, s.EndsAt, a.Status.Label(), a.Mode.Label(), a.Source.Label(), a.CheckedInAt, a.Minutes)
	}
	ft := &exportTable{name: "feedback", about: "The feedback you gave: your ratings (1 to 5) and your comments.",
		cols: []string{"session_id", "session_title", "given_at", "overall", "teaching", "confidence_before", "confidence_after", "benefits", "went_well", "improve"}}
	for _, f := range answers {
		var benefits []string
		for _, b := range f.BenefitList() {
			benefits = append(benefits, Benefit(b).Label())
		}
		ft.add(f.SessionID, sessions[f.SessionID].Title, f.CreatedAt, f.Overall, f.Teaching, f.ConfidenceBefore, f.ConfidenceAfter,
			strings.Join(benefits, "; "), f.WentWell, f.Improve)
	}
	ct := &exportTable{name: "certificates", about: "Your certificates: code, kind, title, and the address where anyone can check one.",
		cols: []string{"code", "kind", "title", "issued_at", "url"}}
	for _, c := range certs {
		ct.add(c.Code, c.Kind.Label(), c.Title, c.IssuedAt, strings.TrimRight(baseURL, "/")+"/certificates/"+c.Code)
	}
	tt := &exportTable{name: "teaching", about: "The sessions you taught or are down to teach.",
		cols: []string{"session_id", "title", "topic", "format", "mode", "status", "starts_at", "ends_at"}}
	for _, id := range taught {
		s, ok := sessions[id]
		if !ok {
			continue
		}
		tt.add(s.ID, s.Title, s.Topic, s.Format.Label(), s.Mode.Label(), s.Status.Label(), s.StartsAt, s.EndsAt)
	}
	return []*exportTable{bt, at, ft, ct, tt}, nil
}

// exportMentoring is the member's applications, pairs, meetings, own
// notes, own requests to end a pair, and own questionnaire answers.
func exportMentoring(db *gorm.DB, u User, _ string) ([]*exportTable, error) {
	var apps []Application
	if err := db.Where("user_id = ?", u.ID).Order("created_at, id").Find(&apps).Error; err != nil {
		return nil, err
	}
	var pairs []Pair
	if err := db.Where("(mentor_id = ? OR mentee_id = ?) AND published_at IS NOT NULL", u.ID, u.ID).Order("published_at, id").Find(&pairs).Error; err != nil {
		return nil, err
	}
	var responses []questionnaireResponse
	if err := db.Where("user_id = ?", u.ID).Order("created_at, id").Find(&responses).Error; err != nil {
		return nil, err
	}
	var ends []EndRequest
	if err := db.Where("user_id = ?", u.ID).Order("created_at, id").Find(&ends).Error; err != nil {
		return nil, err
	}
	var schemeIDs, people, pairIDs []int64
	for _, a := range apps {
		schemeIDs = append(schemeIDs, a.SchemeID)
		people = append(people, a.ExcludeUserIDs.V...)
	}
	pairOf := map[int64]Pair{}
	for _, p := range pairs {
		schemeIDs, people, pairIDs = append(schemeIDs, p.SchemeID), append(people, p.Partner(u.ID)), append(pairIDs, p.ID)
		pairOf[p.ID] = p
	}
	for _, r := range responses {
		schemeIDs = append(schemeIDs, r.SchemeID)
	}
	schemes := map[int64]Scheme{}
	if ids := dedupe(schemeIDs); len(ids) > 0 {
		var ss []Scheme
		if err := db.Where("id IN ?", ids).Find(&ss).Error; err != nil {
			return nil, err
		}
		for _, s := range ss {
			schemes[s.ID] = s
		}
	}
	names, err := userNames(db, dedupe(people))
	if err != nil {
		return nil, err
	}
	var meetings []Meeting
	notes := map[int64]string{}
	if len(pairIDs) > 0 {
		if err := db.Where("pair_id IN ?", pairIDs).Order("starts_at, id").Find(&meetings).Error; err != nil {
			return nil, err
		}
		// The member's own notes only: the partner's are never read.
		var mine []meetingNote
		if err := db.Where("user_id = ? AND meeting_id IN (SELECT id FROM mentoring_meetings WHERE pair_id IN ?)", u.ID, pairIDs).Find(&mine).Error; err != nil {
			return nil, err
		}
		for _, n := range mine {
			notes[n.MeetingID] = n.Note
		}
	}
	// A pair not yet published is committee's draft, and its meetings,
	// notes and end requests cannot exist.
	at := &exportTable{name: "mentoring_applications", about: "Your applications to mentoring schemes, with your answers to each scheme's questions.",
		cols: []string{"scheme", "role", "interests", "meeting_preference", "availability", "hopes", "answers", "not_to_be_paired_with", "most_mentees", "research_consent", "applied_at", "updated_at"}}
	for _, a := range apps {
		s := schemes[a.SchemeID]
		var qa []string
		for i, ans := range a.Answers.V {
			q := fmt.Sprintf("Question %d", i+1)
			if i < len(s.Questions.V) {
				q = s.Questions.V[i]
			}
			qa = append(qa, q+": "+ans)
		}
		var excluded []string
		for _, id := range a.ExcludeUserIDs.V {
			if n, ok := names[id]; ok {
				excluded = append(excluded, n)
			}
		}
		var most any
		if a.Role == RoleMentor {
			most = a.MaxMentees
		}
		at.add(s.Title, a.Role.Label(), strings.Join(a.Interests.V, "; "), a.Mode.Label(), strings.Join(availabilityWords(a.Availability.V), "; "),
			a.Hopes, strings.Join(qa, "\n"), strings.Join(excluded, "; "), most, a.ResearchConsent, a.CreatedAt, a.UpdatedAt)
	}
	pt := &exportTable{name: "mentoring_pairs", about: "Your mentoring pairs: the scheme, your side, your partner's name, and the pair's goals.",
		cols: []string{"pair_id", "scheme", "my_role", "partner", "status", "goals", "introduced_at", "ended_at"}}
	for _, p := range pairs {
		pt.add(p.ID, schemes[p.SchemeID].Title, p.Side(u.ID).Label(), names[p.Partner(u.ID)], p.Status.Label(), p.Goals, p.PublishedAt, p.EndedAt)
	}
	mt := &exportTable{name: "mentoring_meetings", about: "Your pairs' meetings, with your own note of each (never your partner's).",
		cols: []string{"pair_id", "partner", "starts_at", "minutes", "mode", "place_or_link", "status", "held", "my_note"}}
	for _, m := range meetings {
		p := pairOf[m.PairID]
		var note any
		if n, ok := notes[m.ID]; ok {
			note = n
		}
		mt.add(m.PairID, names[p.Partner(u.ID)], m.StartsAt, m.Minutes, m.Mode.Label(), m.PlaceOrURL, m.Status.Label(), m.Held, note)
	}
	et := &exportTable{name: "mentoring_end_requests", about: "What you asked committee about ending or changing a pair.",
		cols: []string{"pair_id", "scheme", "reason", "asked_at"}}
	for _, e := range ends {
		et.add(e.PairID, schemes[pairOf[e.PairID].SchemeID].Title, e.Reason, e.CreatedAt)
	}
	qt := &exportTable{name: "mentoring_questionnaires", about: "Your own answers to the schemes' questionnaires, before and after.",
		cols: []string{"scheme", "questionnaire", "my_role", "question", "answer", "answered_at"}}
	for _, r := range responses {
		s := schemes[r.SchemeID]
		items := s.BeforeItems.V
		if r.Phase == PhaseAfter {
			items = s.AfterItems.V
		}
		seen := map[string]bool{}
		for _, it := range items {
			if v, ok := r.Answers.V[it.ID]; ok {
				seen[it.ID] = true
				qt.add(s.Title, r.Phase.Label(), r.Role.Label(), it.Text, exportAnswer(v), r.CreatedAt)
			}
		}
		for id, v := range r.Answers.V {
			if !seen[id] {
				qt.add(s.Title, r.Phase.Label(), r.Role.Label(), id, exportAnswer(v), r.CreatedAt)
			}
		}
	}
	return []*exportTable{at, pt, mt, et, qt}, nil
}

// availabilityWords gives free times as the application page names them
// ("Tuesday evenings"); a phrase of the applicant's own stays as written.
func availabilityWords(times []string) []string {
	words := map[string]string{}
	for _, o := range AvailabilityOptions() {
		words[o[0]] = o[1]
	}
	out := make([]string, len(times))
	for i, t := range times {
		if w, ok := words[t]; ok {
			out[i] = w
		} else {
			out[i] = t
		}
	}
	return out
}

func exportAnswer(v any) any {
	if f, ok := v.(float64); ok && f == float64(int(f)) {
		return int(f)
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// exportMail is the e-mails Rounds sent, or is sending, to the member.
func exportMail(db *gorm.DB, u User, _ string) ([]*exportTable, error) {
	var ms []OutboxMessage
	if err := db.Where("user_id = ? OR (user_id IS NULL AND LOWER(to_addr) = ?)", u.ID, NormalizeEmail(u.Email)).
		Order("created_at, id").Find(&ms).Error; err != nil {
		return nil, err
	}
	t := &exportTable{name: "emails", about: "The e-mails sent to you: kind, subject, status, when, and the text while it is still kept.",
		cols: []string{"kind", "to", "subject", "status", "queued_at", "sent_at", "text"}}
	for _, m := range ms {
		t.add(m.Kind.Label(), m.ToAddr, m.Subject, m.Status.Label(), m.CreatedAt, m.SentAt, m.BodyText)
	}
	return []*exportTable{t}, nil
}
