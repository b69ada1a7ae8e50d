package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// The questionnaire editor: committee writes a scheme's before and after
// items. An item asked in both with the same id is the same question, whose
// answers the evaluation compares.

// itemRow is one row of the editor, as typed, with its problem.
type itemRow struct {
	ID, Text, Kind, Audience, Error string
}

// spareRows are the empty rows under each questionnaire for new items.
const spareRows = 3

func itemRows(items []models.QuestItem) []itemRow {
	rows := make([]itemRow, 0, len(items)+spareRows)
	for _, it := range items {
		rows = append(rows, itemRow{ID: it.ID, Text: it.Text, Kind: string(it.Kind), Audience: string(it.Audience)})
	}
	for range spareRows {
		rows = append(rows, itemRow{Kind: string(models.ItemLikert), Audience: string(models.AudienceBoth)})
	}
	return rows
}

// itemID makes an id from an item's words when none is given.
func itemID(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "_")
}

func (h *Handler) questionnairesView(s models.Scheme, before, after []itemRow) map[string]any {
	return map[string]any{"Title": "Questionnaires of " + s.Title, "Scheme": s, "Before": before, "After": after,
		"Kinds": []models.ItemKind{models.ItemLikert, models.ItemText}, "Audiences": []models.Audience{models.AudienceMentee, models.AudienceMentor, models.AudienceBoth}}
}

func (h *Handler) questionnairesPage(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	q, err := models.SchemeQuestionnaires(c.Request().Context(), h.Store, s.ID)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "committee_scheme_questionnaires", h.questionnairesView(s, itemRows(q.Before.Items), itemRows(q.After.Items)))
}

// readItems reads one questionnaire's rows; rows left empty are dropped,
// and kept[i] is the row of the i-th item.
func readItems(c echo.Context, phase string) (rows []itemRow, items []models.QuestItem, kept []int) {
	for i := 0; i < 200; i++ {
		key := func(f string) string { return fmt.Sprintf("%s_%s_%d", phase, f, i) }
		if _, ok := c.Request().PostForm[key("text")]; !ok {
			break
		}
		r := itemRow{ID: strings.TrimSpace(c.FormValue(key("id"))), Text: strings.TrimSpace(c.FormValue(key("text"))),
			Kind: c.FormValue(key("kind")), Audience: c.FormValue(key("audience"))}
		rows = append(rows, r)
		if r.Text == "" && r.ID == "" {
			continue
		}
		id := r.ID
		if id == "" {
			id = itemID(r.Text)
		}
		items = append(items, models.QuestItem{ID: id, Text: r.Text, Kind: models.ItemKind(r.Kind), Audience: models.Audience(r.Audience)})
		kept = append(kept, len(rows)-1)
	}
	return rows, items, kept
}

func (h *Handler) questionnairesSubmit(c echo.Context) error {
	s, err := h.committeeScheme(c)
	if err != nil {
		return err
	}
	if _, err := formValues(c); err != nil {
		return err
	}
	bRows, bItems, bKept := readItems(c, "before")
	aRows, aItems, aKept := readItems(c, "after")
	var q models.Questionnaires
	q.Before.Items, q.After.Items = bItems, aItems
	back := committeeSchemePath(s.ID) + "/questionnaires"
	_, err = models.SetQuestionnaires(c.Request().Context(), h.Store, *currentUser(c), s.ID, q, h.Clock.Now())
	if err != nil {
		return h.formFailed(c, err, back, func(problems map[string]string) error {
			d := h.questionnairesView(s, bRows, aRows)
			var general []string
			for field, msg := range problems {
				placed := false
				for _, ph := range []struct {
					name string
					rows []itemRow
					kept []int
				}{{"before", bRows, bKept}, {"after", aRows, aKept}} {
					for i, row := range ph.kept {
						if strings.HasPrefix(field, fmt.Sprintf("%s.items[%d]", ph.name, i)) && ph.rows[row].Error == "" {
							ph.rows[row].Error, placed = msg, true
						}
					}
				}
				if !placed {
					general = append(general, msg)
				}
			}
			d["Errors"], d["General"] = problems, general
			return h.render(c, http.StatusUnprocessableEntity, "committee_scheme_questionnaires", d)
		})
	}
	h.flash(c, "success", "The questionnaires are saved.")
	return redirect(c, committeeSchemePath(s.ID))
}
