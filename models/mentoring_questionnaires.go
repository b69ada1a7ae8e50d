package models

import (
	"context"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"rounds/internal/wilcoxon"
	"rounds/models/store"
)

// QuestItem is one item of a scheme's questionnaire: a statement to agree
// with from 1 to 5, or a question answered in words. An item of the before
// questionnaire and one of the after questionnaire with the same id are the
// same question asked twice: the evaluation compares their answers.
type QuestItem struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Kind     ItemKind `json:"kind"`
	Audience Audience `json:"audience"`
}

// Questionnaires are a scheme's two questionnaires.
type Questionnaires struct {
	Before struct {
		Items []QuestItem `json:"items"`
	} `json:"before"`
	After struct {
		Items []QuestItem `json:"items"`
	} `json:"after"`
}

// Limits of questionnaires.
const (
	maxItems      = 40
	maxItemText   = 300
	maxAnswerText = 2000
)

var itemID = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// DefaultQuestionnaire is the set of items a new scheme starts with, before
// and after alike: what studies of near-peer mentoring measure in mentees
// (understanding of a career, belonging, knowing whom to ask, hope) and in
// mentors (guiding others, solving problems, communicating).
func DefaultQuestionnaire() []QuestItem {
	return []QuestItem{
		{"career", "I understand what a career in general practice involves.", ItemLikert, AudienceMentee},
		{"belonging", "I feel I belong to the medical school community.", ItemLikert, AudienceMentee},
		{"advice", "I know who to ask for advice.", ItemLikert, AudienceMentee},
		{"hope", "I feel hopeful about my future in medicine.", ItemLikert, AudienceMentee},
		{"guiding", "I feel confident guiding others.", ItemLikert, AudienceMentor},
		{"problem_solving", "I can help others work through their problems.", ItemLikert, AudienceMentor},
		{"communication", "I communicate well with people earlier in their training.", ItemLikert, AudienceMentor},
		{"in_words", "Anything you would like to add, in your own words.", ItemText, AudienceBoth},
	}
}

// SchemeQuestionnaires returns a scheme's questionnaires.
func SchemeQuestionnaires(ctx context.Context, st *store.Store, schemeID int64) (Questionnaires, error) {
	s, err := schemeByID(st.Read(ctx), schemeID)
	if err != nil {
		return Questionnaires{}, err
	}
	return questionnairesOf(s), nil
}

func questionnairesOf(s Scheme) Questionnaires {
	var q Questionnaires
	q.Before.Items, q.After.Items = s.BeforeItems.V, s.AfterItems.V
	if q.Before.Items == nil {
		q.Before.Items = []QuestItem{}
	}
	if q.After.Items == nil {
		q.After.Items = []QuestItem{}
	}
	return q
}

func checkItems(p Problems, field string, items []QuestItem) []QuestItem {
	out := []QuestItem{}
	seen := map[string]bool{}
	if len(items) > maxItems {
		p.Add(field, fmt.Sprintf("Ask at most %d items.", maxItems))
	}
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		it.ID = strings.TrimSpace(it.ID)
		it.Text = strings.TrimSpace(it.Text)
		if it.ID == "" {
			it.ID = fmt.Sprintf("item_%d", i+1)
		}
		if it.Kind == "" {
			it.Kind = ItemLikert
		}
		if it.Audience == "" {
			it.Audience = AudienceBoth
		}
		switch {
		case !itemID.MatchString(it.ID):
			p.Add(f+".id", "Use lower-case letters, digits and _ only, at most 40.")
		case seen[it.ID]:
			p.Add(f+".id", "Each item needs an id of its own.")
		case it.Text == "" || utf8.RuneCountInString(it.Text) > maxItemText || !plainText(it.Text):
			p.Add(f+".text", fmt.Sprintf("Write the item on one line of at most %d characters.", maxItemText))
		case !it.Kind.Valid():
			p.Add(f+".kind", "Choose likert (1 to 5) or text.")
		case !it.Audience.Valid():
			p.Add(f+".audience", "Ask mentors, mentees or both.")
		}
		seen[it.ID] = true
		out = append(out, it)
	}
	return out
}

// sameShape tells whether two lists ask the same items of the same people
// in the same way (their wording aside).
func sameShape(a, b []QuestItem) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(it QuestItem) string { return it.ID + "|" + string(it.Kind) + "|" + string(it.Audience) }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	sort.Strings(ka)
	sort.Strings(kb)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

// SetQuestionnaires replaces a scheme's questionnaires. Once a
// questionnaire has answers, its items can be reworded only.
func SetQuestionnaires(ctx context.Context, st *store.Store, actor User, schemeID int64, q Questionnaires, now time.Time) (Questionnaires, error) {
	if !actor.IsCommittee() {
		return Questionnaires{}, ErrForbidden
	}
	p := Problems{}
	before := checkItems(p, "before.items", q.Before.Items)
	after := checkItems(p, "after.items", q.After.Items)
	if err := p.Err(); err != nil {
		return Questionnaires{}, err
	}
	var out Questionnaires
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := lockScheme(tx, schemeID)
		if err != nil {
			return err
		}
		for _, ph := range []struct {
			phase     QuestionPhase
			old, next []QuestItem
		}{{PhaseBefore, s.BeforeItems.V, before}, {PhaseAfter, s.AfterItems.V, after}} {
			var n int64
			if err := tx.Model(&questionnaireResponse{}).Where("scheme_id = ? AND phase = ?", s.ID, ph.phase).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 && !sameShape(ph.old, ph.next) {
				return ErrQuestionnaireAnswered
			}
		}
		s.BeforeItems.V, s.AfterItems.V = before, after
		if err := tx.Model(&Scheme{}).Where("id = ?", s.ID).Updates(map[string]any{"before_items": s.BeforeItems, "after_items": s.AfterItems, "updated_at": now.UTC()}).Error; err != nil {
			return err
		}
		out = questionnairesOf(s)
		return nil
	})
	return out, err
}

// questionnaireResponse is one member's answers to one questionnaire.
type questionnaireResponse struct {
	ID        int64
	SchemeID  int64
	Phase     QuestionPhase
	UserID    int64
	Role      MentoringRole
	Answers   jsonValue[map[string]any]
	CreatedAt time.Time
}

func (questionnaireResponse) TableName() string { return "questionnaire_responses" }

// participantRole is u's side in the scheme's introduced pairs, or "".
func participantRole(db *gorm.DB, schemeID, userID int64) (MentoringRole, error) {
	var ps []Pair
	if err := db.Where("scheme_id = ? AND status IN ? AND (mentor_id = ? OR mentee_id = ?)", schemeID,
		[]PairStatus{PairActive, PairEnded}, userID, userID).Limit(1).Find(&ps).Error; err != nil {
		return "", err
	}
	if len(ps) == 0 {
		return "", nil
	}
	return ps[0].Side(userID), nil
}

// SubmitAnswers records u's answers to a scheme's questionnaire, once:
// items of the phase asked of u's side, a whole number from 1 to 5 for a
// statement, words for a question.
func SubmitAnswers(ctx context.Context, st *store.Store, u User, schemeID int64, phase QuestionPhase, answers map[string]any, now time.Time) error {
	if !phase.Valid() {
		return ErrNotFound
	}
	return st.Write(ctx, func(tx *gorm.DB) error {
		s, err := schemeByID(tx, schemeID)
		if err != nil {
			return err
		}
		role, err := participantRole(tx, s.ID, u.ID)
		if err != nil {
			return err
		}
		if role == "" {
			// Committee and applicants know the scheme; anyone else is told
			// nothing of it.
			if _, err := applicationOf(tx, s.ID, u.ID); err == nil || u.IsCommittee() {
				return ErrNotParticipant
			}
			return ErrNotFound
		}
		items := s.BeforeItems.V
		if phase == PhaseAfter {
			items = s.AfterItems.V
		}
		clean, err := checkAnswers(items, role, answers)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&questionnaireResponse{}).Where("scheme_id = ? AND phase = ? AND user_id = ?", s.ID, phase, u.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyAnswered
		}
		r := questionnaireResponse{SchemeID: s.ID, Phase: phase, UserID: u.ID, Role: role, CreatedAt: now.UTC()}
		r.Answers.V = clean
		if err := tx.Create(&r).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadyAnswered
			}
			return err
		}
		return nil
	})
}

func checkAnswers(items []QuestItem, role MentoringRole, answers map[string]any) (map[string]any, error) {
	p := Problems{}
	byID := map[string]QuestItem{}
	for _, it := range items {
		if it.Audience.For(role) {
			byID[it.ID] = it
		}
	}
	clean := map[string]any{}
	for id, v := range answers {
		it, ok := byID[id]
		f := "answers." + id
		if !ok {
			p.Add(f, "This questionnaire asks you no such item.")
			continue
		}
		switch it.Kind {
		case ItemLikert:
			x, ok := likertValue(v)
			if !ok {
				p.Add(f, "Answer with a whole number from 1 (strongly disagree) to 5 (strongly agree).")
				continue
			}
			clean[id] = x
		case ItemText:
			s, ok := v.(string)
			s = strings.TrimSpace(s)
			if !ok || utf8.RuneCountInString(s) > maxAnswerText || !utf8.ValidString(s) {
				p.Add(f, fmt.Sprintf("Answer in words, at most %d characters.", maxAnswerText))
				continue
			}
			if s != "" {
				clean[id] = s
			}
		}
	}
	if len(clean) == 0 && len(p) == 0 {
		p.Add("answers", "Answer at least one item.")
	}
	return clean, p.Err()
}

func likertValue(v any) (int, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int:
		f = float64(x)
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, false
		}
		f = float64(n)
	default:
		return 0, false
	}
	if f != math.Trunc(f) || f < 1 || f > 5 {
		return 0, false
	}
	return int(f), true
}

// questionnaireEmail is a questionnaire_request or _reminder of a phase:
// one of each kind per member, scheme and phase.
func questionnaireEmail(kind MailKind, s Scheme, phase QuestionPhase, userID int64, to, name string) Email {
	return Email{Kind: kind, Key: fmt.Sprintf("%s:%d:%s:%d", kind, s.ID, phase, userID), UserID: userID, To: to, ToName: name,
		Data: map[string]string{"scheme_id": fmt.Sprint(s.ID), "scheme": s.Title, "phase": string(phase)}}
}

// HasAnswered tells whether a member has answered a phase's questionnaire.
func HasAnswered(ctx context.Context, st *store.Store, userID, schemeID int64, phase QuestionPhase) (bool, error) {
	var n int64
	err := st.Read(ctx).Model(&questionnaireResponse{}).Where("scheme_id = ? AND phase = ? AND user_id = ?", schemeID, phase, userID).Count(&n).Error
	return n > 0, err
}

// WilcoxonFigures are the signed-rank test of one item.
type WilcoxonFigures struct {
	W float64 `json:"w"`
	P float64 `json:"p"`
	R float64 `json:"r"`
}

// EvaluationItem is one statement asked before and after, with what
// changed among those who answered both.
type EvaluationItem struct {
	ID            string           `json:"id"`
	Text          string           `json:"text"`
	Audience      Audience         `json:"audience"`
	PairedN       int              `json:"paired_n"`
	MedianBefore  *float64         `json:"median_before"`
	MedianAfter   *float64         `json:"median_after"`
	ImprovedShare *float64         `json:"improved_share"`
	Wilcoxon      *WilcoxonFigures `json:"wilcoxon"`
}

// EvaluationComments are the answers in words to one question, without
// names, in an order that says nothing of who wrote them.
type EvaluationComments struct {
	ID      string        `json:"id"`
	Text    string        `json:"text"`
	Phase   QuestionPhase `json:"phase"`
	Answers []string      `json:"answers"`
}

// Evaluation is what a scheme's questionnaires show.
type Evaluation struct {
	Items        []EvaluationItem     `json:"items"`
	Withheld     bool                 `json:"withheld"`
	MinResponses int                  `json:"min_responses"`
	Respondents  map[string]int       `json:"respondents"`
	Comments     []EvaluationComments `json:"comments"`
}

// consentingResponses loads the responses of the scheme's members who
// consented to their answers being used in its evaluation.
func consentingResponses(db *gorm.DB, schemeID int64) ([]questionnaireResponse, map[int64]string, error) {
	var rs []questionnaireResponse
	err := db.Where("scheme_id = ? AND user_id IN (SELECT user_id FROM mentoring_applications WHERE scheme_id = ? AND research_consent = ?)",
		schemeID, schemeID, true).Order("user_id, phase").Find(&rs).Error
	if err != nil {
		return nil, nil, err
	}
	var apps []Application
	if err := db.Select("user_id, pseudonym").Where("scheme_id = ? AND research_consent = ?", schemeID, true).Find(&apps).Error; err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, a := range apps {
		names[a.UserID] = a.Pseudonym
	}
	return rs, names, nil
}

// SchemeEvaluation works out, for each statement asked both before and
// after, among consenting members who answered both: how many, the median
// before and after, the share whose answer went up, and the Wilcoxon
// signed-rank test. Items answered by fewer than minResponses such members
// have no figures (withheld is then true), and answers in words are listed
// only from minResponses answers on.
func SchemeEvaluation(ctx context.Context, st *store.Store, schemeID int64, minResponses int) (Evaluation, error) {
	db := st.Read(ctx)
	s, err := schemeByID(db, schemeID)
	if err != nil {
		return Evaluation{}, err
	}
	rs, _, err := consentingResponses(db, s.ID)
	if err != nil {
		return Evaluation{}, err
	}
	minResponses = max(minResponses, 1)
	ev := Evaluation{Items: []EvaluationItem{}, MinResponses: minResponses, Comments: []EvaluationComments{},
		Respondents: map[string]int{string(PhaseBefore): 0, string(PhaseAfter): 0}}
	answers := map[QuestionPhase]map[int64]map[string]any{PhaseBefore: {}, PhaseAfter: {}}
	for _, r := range rs {
		answers[r.Phase][r.UserID] = r.Answers.V
		ev.Respondents[string(r.Phase)]++
	}
	afterByID := map[string]QuestItem{}
	for _, it := range s.AfterItems.V {
		afterByID[it.ID] = it
	}
	for _, it := range s.BeforeItems.V {
		after, ok := afterByID[it.ID]
		if !ok || it.Kind != ItemLikert || after.Kind != ItemLikert {
			continue
		}
		var before, later []float64
		for _, uid := range sortedKeys(answers[PhaseBefore]) {
			b, okB := likertValue(answers[PhaseBefore][uid][it.ID])
			a, okA := likertValue(answers[PhaseAfter][uid][it.ID])
			if okB && okA {
				before, later = append(before, float64(b)), append(later, float64(a))
			}
		}
		ei := EvaluationItem{ID: it.ID, Text: after.Text, Audience: after.Audience, PairedN: len(before)}
		if ei.PairedN < minResponses {
			ev.Withheld = true
			ev.Items = append(ev.Items, ei)
			continue
		}
		mb, ma := wilcoxon.Median(before), wilcoxon.Median(later)
		up := 0
		for i := range before {
			if later[i] > before[i] {
				up++
			}
		}
		share := float64(up) / float64(len(before))
		ei.MedianBefore, ei.MedianAfter, ei.ImprovedShare = &mb, &ma, &share
		res, err := wilcoxon.Test(before, later)
		switch {
		case err == wilcoxon.ErrNoDifferences:
			ei.Wilcoxon = &WilcoxonFigures{W: 0, P: 1, R: 0}
		case err != nil:
			return Evaluation{}, err
		default:
			ei.Wilcoxon = &WilcoxonFigures{W: res.W, P: res.P, R: res.R}
		}
		ev.Items = append(ev.Items, ei)
	}
	for _, ph := range []struct {
		phase QuestionPhase
		items []QuestItem
	}{{PhaseBefore, s.BeforeItems.V}, {PhaseAfter, s.AfterItems.V}} {
		for _, it := range ph.items {
			if it.Kind != ItemText {
				continue
			}
			c := EvaluationComments{ID: it.ID, Text: it.Text, Phase: ph.phase, Answers: []string{}}
			for _, uid := range sortedKeys(answers[ph.phase]) {
				if text, ok := answers[ph.phase][uid][it.ID].(string); ok && text != "" {
					c.Answers = append(c.Answers, text)
				}
			}
			if len(c.Answers) < minResponses {
				c.Answers = []string{}
			}
			shuffleByText(c.Answers)
			ev.Comments = append(ev.Comments, c)
		}
	}
	return ev, nil
}

// shuffleByText orders answers by a hash of their text: the same on every
// reading, and unrelated to who wrote them or when.
func shuffleByText(xs []string) {
	h := func(s string) uint64 {
		f := fnv.New64a()
		_, _ = f.Write([]byte(s))
		return f.Sum64()
	}
	sort.SliceStable(xs, func(i, j int) bool { return h(xs[i]) < h(xs[j]) })
}

// EvaluationCSVHeader is the header of the research export.
var EvaluationCSVHeader = []string{"pseudonym", "role", "item_id", "time", "answer"}

// WriteEvaluationCSV writes the scheme's research export: one row per
// consenting respondent, item and time (before or after), the respondent
// named by their pseudonym in this scheme only. docs/MENTORING_DATA.md
// describes each column.
func WriteEvaluationCSV(ctx context.Context, st *store.Store, schemeID int64, w io.Writer) error {
	db := st.Read(ctx)
	s, err := schemeByID(db, schemeID)
	if err != nil {
		return err
	}
	rs, names, err := consentingResponses(db, s.ID)
	if err != nil {
		return err
	}
	type row struct{ pseudonym, role, item, phase, answer string }
	var rows []row
	for _, r := range rs {
		for id, v := range r.Answers.V {
			var ans string
			if x, ok := likertValue(v); ok {
				ans = strconv.Itoa(x)
			} else if t, ok := v.(string); ok {
				ans = t
			}
			rows = append(rows, row{names[r.UserID], string(r.Role), id, string(r.Phase), ans})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.pseudonym != b.pseudonym {
			return a.pseudonym < b.pseudonym
		}
		if a.item != b.item {
			return a.item < b.item
		}
		return a.phase > b.phase // before, then after
	})
	cw := csv.NewWriter(w)
	if err := cw.Write(EvaluationCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.pseudonym, r.role, r.item, r.phase, csvSafe(r.answer)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading an answer as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// MyQuestionnaire is a questionnaire as one member answers it.
type MyQuestionnaire struct {
	SchemeID int64         `json:"scheme_id"`
	Phase    QuestionPhase `json:"phase"`
	Role     MentoringRole `json:"role,omitempty"`
	Items    []QuestItem   `json:"items"`
	Answered bool          `json:"answered"`
}

// QuestionnaireFor returns a phase's questionnaire as u answers it: the
// items asked of u's side of the scheme's pairs. Committee reads every
// item; anyone else outside the pairs is told there is no such thing.
func QuestionnaireFor(ctx context.Context, st *store.Store, u User, schemeID int64, phase QuestionPhase) (MyQuestionnaire, error) {
	db := st.Read(ctx)
	s, err := schemeByID(db, schemeID)
	if err != nil {
		return MyQuestionnaire{}, err
	}
	role, err := participantRole(db, s.ID, u.ID)
	if err != nil {
		return MyQuestionnaire{}, err
	}
	if role == "" && !u.IsCommittee() {
		return MyQuestionnaire{}, ErrNotFound
	}
	items := s.BeforeItems.V
	if phase == PhaseAfter {
		items = s.AfterItems.V
	}
	out := MyQuestionnaire{SchemeID: s.ID, Phase: phase, Role: role, Items: []QuestItem{}}
	for _, it := range items {
		if role == "" || it.Audience.For(role) {
			out.Items = append(out.Items, it)
		}
	}
	if role != "" {
		var n int64
		if err := db.Model(&questionnaireResponse{}).Where("scheme_id = ? AND phase = ? AND user_id = ?", s.ID, phase, u.ID).Count(&n).Error; err != nil {
			return MyQuestionnaire{}, err
		}
		out.Answered = n > 0
	}
	return out, nil
}
