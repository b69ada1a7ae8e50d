package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// memberListKeys are the query parameters of the members list that its
// links, forms and CSV keep.
var memberListKeys = []string{"q", "role", "year_of_study", "sort"}

// keptQuery is the members list's filters and order from v, without the
// page, ready for an address.
func keptQuery(v url.Values) url.Values {
	out := url.Values{}
	for _, k := range memberListKeys {
		if s := v.Get(k); s != "" {
			out.Set(k, s)
		}
	}
	return out
}

// memberQuery reads the members list's filters, order and page.
func memberQuery(c echo.Context) (models.MemberQuery, error) {
	f, err := userFilter(c)
	q := models.MemberQuery{UserFilter: f, Sort: c.QueryParam("sort"), Page: 1}
	if err != nil {
		return q, err
	}
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return q, &models.ValidationError{Fields: map[string]string{"page": "Pages are numbered from 1."}}
		}
		q.Page = n
	}
	return q, nil
}

// membersPage is GET /committee/members: a page of members, searched,
// filtered and sorted, with their links to each member's page, a role
// change for those ticked, and the CSV of the whole list.
func (h *Handler) membersPage(c echo.Context) error {
	kept := keptQuery(c.QueryParams())
	d := map[string]any{"Title": "Members", "Sorts": models.MemberSorts, "Query": map[string]string{
		"role": c.QueryParam("role"), "year_of_study": c.QueryParam("year_of_study"), "q": c.QueryParam("q"), "sort": c.QueryParam("sort")},
		"CSV": "/committee/members.csv?" + kept.Encode(), "Page": models.MemberPage{Page: 1, Pages: 1}}
	q, err := memberQuery(c)
	var page models.MemberPage
	if err == nil {
		page, err = models.ListMembers(c.Request().Context(), h.Store, q)
	}
	if ve := (*models.ValidationError)(nil); errors.As(err, &ve) {
		d["Errors"] = ve.Fields
		return h.render(c, http.StatusUnprocessableEntity, "members", d)
	}
	if err != nil {
		return err
	}
	d["Page"] = page
	pageLink := func(n int) string {
		v := keptQuery(c.QueryParams())
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/committee/members?" + v.Encode()
	}
	if page.Page > 1 {
		d["Prev"] = pageLink(page.Page - 1)
	}
	if page.Page < page.Pages {
		d["Next"] = pageLink(page.Page + 1)
	}
	back := keptQuery(c.QueryParams())
	if page.Page > 1 {
		back.Set("page", strconv.Itoa(page.Page))
	}
	d["Return"] = back.Encode()
	return h.render(c, http.StatusOK, "members", d)
}

// membersCSV is GET /committee/members.csv: every member the list's
// filters match, in its order, one line each.
func (h *Handler) membersCSV(c echo.Context) error {
	q, err := memberQuery(c)
	if err != nil {
		return h.membersPage(c)
	}
	if _, err := models.ListMembers(c.Request().Context(), h.Store, models.MemberQuery{UserFilter: q.UserFilter, Sort: q.Sort}); err != nil {
		return h.membersPage(c) // says what is wrong with the filters
	}
	if err := models.RecordDownload(c.Request().Context(), h.Store, *currentUser(c), "members.csv", c.QueryString(), h.Clock.Now()); err != nil {
		return err
	}
	loc := h.Config.Location
	w := csvDownload(c, "members-"+h.Clock.Now().In(loc).Format("2006-01-02")+".csv")
	_ = w.Write([]string{"id", "name", "email", "role", "year_of_study", "joined"})
	err = models.EachMember(c.Request().Context(), h.Store, q, func(u models.User) error {
		year := "graduate"
		if u.YearOfStudy != nil {
			year = strconv.Itoa(*u.YearOfStudy)
		}
		return w.Write([]string{strconv.FormatInt(u.ID, 10), csvText(u.Name), csvText(u.Email), string(u.Role), year,
			u.CreatedAt.In(loc).Format("2006-01-02")})
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		h.Log.Error("members export failed", slog.Any("error", err))
	}
	return nil
}

// memberPage is GET /committee/members/:id: one member's bookings,
// attendance, feedback given (for which session, never what it said),
// teaching and certificates.
func (h *Handler) memberPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rec, err := models.MemberRecordOf(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	booked, attended, feedback := 0, 0, 0
	for _, s := range rec.Sessions {
		if s.BookingStatus == models.BookingConfirmed {
			booked++
		}
		if s.AttendanceStatus == models.AttendancePresent || s.AttendanceStatus == models.AttendanceLate {
			attended++
		}
		if s.FeedbackGiven {
			feedback++
		}
	}
	// An attendance certificate follows the member's feedback on its
	// session, so committee sees how many there are, not which.
	var shown []models.Certificate
	attendance := 0
	for _, ct := range rec.Certificates {
		if ct.Kind == models.CertificateAttendance {
			attendance++
			continue
		}
		shown = append(shown, ct)
	}
	rec.Certificates = shown
	return h.render(c, http.StatusOK, "member", map[string]any{"Title": rec.User.Name, "Record": rec,
		"Booked": booked, "Attended": attended, "Feedback": feedback, "AttendanceCertificates": attendance})
}

// bulkRoleForm reads the members ticked and the role chosen.
func bulkRoleForm(c echo.Context) ([]int64, models.Role, string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, "", "", err
	}
	back, _ := url.ParseQuery(form.Get("return"))
	ret := keptQuery(back)
	if p := back.Get("page"); p != "" {
		if _, err := strconv.Atoi(p); err == nil {
			ret.Set("page", p)
		}
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, s := range form["id"] {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return nil, "", ret.Encode(), &models.ValidationError{Fields: map[string]string{"ids": "Tick members from the list."}}
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, models.Role(form.Get("role")), ret.Encode(), nil
}

// flashProblems shows a refused form's messages on the page it goes back to.
func (h *Handler) flashProblems(c echo.Context, err error, back string) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var msgs []string
	for _, m := range ve.Fields {
		msgs = append(msgs, m)
	}
	h.flash(c, "error", strings.Join(msgs, " "))
	return redirect(c, back)
}

// memberRolesPreview is POST /committee/members/roles: the ticked members
// and the role, checked, and sent on (303) to the confirmation page, so that
// Back from it never re-sends a form. Nothing changes yet.
func (h *Handler) memberRolesPreview(c echo.Context) error {
	ids, role, ret, err := bulkRoleForm(c)
	back := "/committee/members?" + ret
	if err != nil {
		return h.flashProblems(c, err, back)
	}
	if _, err := models.PreviewRoleChange(c.Request().Context(), h.Store, *currentUser(c), ids, role); err != nil {
		return h.flashProblems(c, err, back)
	}
	q := url.Values{"role": {string(role)}, "return": {ret}}
	for _, id := range ids {
		q.Add("id", strconv.FormatInt(id, 10))
	}
	return redirect(c, "/committee/members/roles?"+q.Encode())
}

// memberRolesPage is GET /committee/members/roles: the confirmation of a
// bulk role change, listing who changes. Nothing changes yet.
func (h *Handler) memberRolesPage(c echo.Context) error {
	ids, role, ret, err := bulkRoleForm(c)
	back := "/committee/members?" + ret
	if err != nil {
		return h.flashProblems(c, err, back)
	}
	changes, err := models.PreviewRoleChange(c.Request().Context(), h.Store, *currentUser(c), ids, role)
	if err != nil {
		return h.flashProblems(c, err, back)
	}
	n := 0
	for _, ch := range changes {
		if ch.Changes {
			n++
		}
	}
	return h.render(c, http.StatusOK, "members_roles", map[string]any{"Title": "Change roles", "Changes": changes,
		"Role": role, "Count": n, "Return": ret, "Back": back})
}

// memberRolesApply is POST /committee/members/roles/confirm: the change
// the confirmation page listed.
func (h *Handler) memberRolesApply(c echo.Context) error {
	ids, role, ret, err := bulkRoleForm(c)
	back := "/committee/members?" + ret
	if err != nil {
		return h.flashProblems(c, err, back)
	}
	n, err := models.ChangeRoles(c.Request().Context(), h.Store, *currentUser(c), ids, role, h.Clock.Now())
	if err != nil {
		return h.flashProblems(c, err, back)
	}
	who := strconv.FormatInt(n, 10) + " members"
	if n == 1 {
		who = "1 member"
	}
	h.flash(c, "success", "Changed the role of "+who+" to "+strings.ToLower(role.Label())+".")
	return redirect(c, back)
}
