package models

import (
	"context"
	"database/sql"
	"fmt"
	"rounds/models/store"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MembersPerPage is how many members a page of the members list shows.
const MembersPerPage = 50

// MemberQuery is what committee asks of the members list: the filters of
// UserFilter, an order (a key of MemberSorts) and a page (from 1).
type MemberQuery struct {
	UserFilter
	Sort string
	Page int
}

// MemberPage is one page of the members list.
type MemberPage struct {
	Members []User
	Total   int64 // members matching the filters, on every page
	Page    int   // this page, from 1
	Pages   int   // at least 1
}

// checkMemberQuery validates q and returns its order.
func checkMemberQuery(q MemberQuery) (MemberSort, error) {
	p := Problems{}
	if q.Role != "" && !q.Role.Valid() {
		p.Add("role", "Choose student, teacher or committee.")
	}
	if q.YearOfStudy != nil && (*q.YearOfStudy < 0 || *q.YearOfStudy > 6) {
		p.Add("year_of_study", "Choose a year from 1 to 6, or graduate.")
	}
	checkSearch(p, q.Query)
	sort, ok := memberSort(q.Sort)
	if !ok {
		p.Add("sort", "Sort by name, year of study, role or newest first.")
	}
	if q.Page < 0 {
		p.Add("page", "Pages are numbered from 1.")
	}
	return sort, p.Err()
}

// membersWhere narrows a query of users by f's role, year and search.
func membersWhere(q *gorm.DB, f UserFilter) *gorm.DB {
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.YearOfStudy != nil {
		if *f.YearOfStudy == 0 {
			q = q.Where("year_of_study IS NULL")
		} else {
			q = q.Where("year_of_study = ?", *f.YearOfStudy)
		}
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		q = q.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')", like, like)
	}
	return q
}

// ListMembers returns one page of the members matching q: two queries
// (a count and the page), however many members there are. A page past
// the last shows the last.
func ListMembers(ctx context.Context, st *store.Store, q MemberQuery) (MemberPage, error) {
	sort, err := checkMemberQuery(q)
	if err != nil {
		return MemberPage{}, err
	}
	db := st.Read(ctx)
	out := MemberPage{Page: max(q.Page, 1)}
	if err := membersWhere(db.Model(&User{}), q.UserFilter).Count(&out.Total).Error; err != nil {
		return MemberPage{}, fmt.Errorf("members: %w", err)
	}
	out.Pages = max(int((out.Total+MembersPerPage-1)/MembersPerPage), 1)
	out.Page = min(out.Page, out.Pages)
	err = membersWhere(db.Model(&User{}), q.UserFilter).Order(sort.order).
		Offset((out.Page - 1) * MembersPerPage).Limit(MembersPerPage).Find(&out.Members).Error
	if err != nil {
		return MemberPage{}, fmt.Errorf("members: %w", err)
	}
	return out, nil
}

// EachMember calls fn with every member matching q, in its order, as they
// are read (the CSV export); q.Page is ignored.
func EachMember(ctx context.Context, st *store.Store, q MemberQuery, fn func(User) error) error {
	sort, err := checkMemberQuery(q)
	if err != nil {
		return err
	}
	db := st.Read(ctx)
	rows, err := membersWhere(db.Model(&User{}), q.UserFilter).Order(sort.order).Rows()
	if err != nil {
		return fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u User
		if err := db.ScanRows(rows, &u); err != nil {
			return fmt.Errorf("members: %w", err)
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MemberSessionRow is one session a member booked or attended, as their
// page shows it: whether they gave feedback, never what it said.
type MemberSessionRow struct {
	SessionID        int64
	Title            string
	StartsAt         time.Time
	SessionStatus    SessionStatus
	BookingStatus    BookingStatus    // "" when they did not book
	BookingMode      Mode             // likewise
	AttendanceStatus AttendanceStatus // "" when nothing is recorded
	FeedbackGiven    bool
}

// MemberTaughtRow is one session a member teaches.
type MemberTaughtRow struct {
	SessionID int64
	Title     string
	StartsAt  time.Time
	Status    SessionStatus
	Booked    int // confirmed seats, in the room and online
}

// MemberRecord is what committee's page about one member shows.
type MemberRecord struct {
	User         User
	Sessions     []MemberSessionRow
	Teaching     []MemberTaughtRow
	Certificates []Certificate
	JoinedAt     time.Time
}

// MemberRecordOf gathers one member's bookings, attendance, feedback
// given (which sessions, not what was said), teaching and certificates:
// four queries.
func MemberRecordOf(ctx context.Context, st *store.Store, id int64) (MemberRecord, error) {
	db := st.Read(ctx)
	var out MemberRecord
	var err error
	if out.User, err = userByID(db, id); err != nil {
		return MemberRecord{}, err
	}
	out.JoinedAt = out.User.CreatedAt
	var sessions []struct {
		SessionID        int64
		Title            string
		StartsAt         time.Time
		SessionStatus    SessionStatus
		BookingStatus    sql.NullString
		BookingMode      sql.NullString
		AttendanceStatus sql.NullString
		FeedbackID       sql.NullInt64
	}
	err = db.Raw(`SELECT s.id AS session_id, s.title, s.starts_at, s.status AS session_status,
			b.status AS booking_status, b.mode AS booking_mode, a.status AS attendance_status, f.id AS feedback_id
		FROM sessions s
		LEFT JOIN bookings b ON b.session_id = s.id AND b.user_id = ?
		LEFT JOIN attendance a ON a.session_id = s.id AND a.user_id = ?
		LEFT JOIN feedback f ON f.session_id = s.id AND f.user_id = ?
		WHERE b.id IS NOT NULL OR a.id IS NOT NULL OR f.id IS NOT NULL
		ORDER BY s.starts_at DESC, s.id DESC`, id, id, id).Scan(&sessions).Error
	if err != nil {
		return MemberRecord{}, fmt.Errorf("member record: sessions: %w", err)
	}
	for _, r := range sessions {
		out.Sessions = append(out.Sessions, MemberSessionRow{SessionID: r.SessionID, Title: r.Title, StartsAt: r.StartsAt.UTC(),
			SessionStatus: r.SessionStatus, BookingStatus: BookingStatus(r.BookingStatus.String), BookingMode: Mode(r.BookingMode.String),
			AttendanceStatus: AttendanceStatus(r.AttendanceStatus.String), FeedbackGiven: r.FeedbackID.Valid})
	}
	err = db.Raw(`SELECT s.id AS session_id, s.title, s.starts_at, s.status, s.confirmed_in_person + s.confirmed_online AS booked
		FROM sessions s JOIN session_teachers t ON t.session_id = s.id
		WHERE t.user_id = ? ORDER BY s.starts_at DESC, s.id DESC`, id).Scan(&out.Teaching).Error
	if err != nil {
		return MemberRecord{}, fmt.Errorf("member record: teaching: %w", err)
	}
	for i := range out.Teaching {
		out.Teaching[i].StartsAt = out.Teaching[i].StartsAt.UTC()
	}
	if err := db.Where("user_id = ?", id).Order("issued_at DESC, id DESC").Find(&out.Certificates).Error; err != nil {
		return MemberRecord{}, fmt.Errorf("member record: certificates: %w", err)
	}
	return out, nil
}

// RoleChange is one member in a bulk role change, before it is made.
type RoleChange struct {
	User    User
	Changes bool // false when the member has the role already
}

// PreviewRoleChange lists the members a bulk role change names, by name,
// and whether each would change; it checks the change as ChangeRoles will.
// Ids of members who do not exist are left out.
func PreviewRoleChange(ctx context.Context, st *store.Store, actor User, ids []int64, role Role) ([]RoleChange, error) {
	if err := bulkRoleError(actor.ID, ids, role).Err(); err != nil {
		return nil, err
	}
	var users []User
	if err := st.Read(ctx).Where("id IN ?", ids).Order("LOWER(name), id").Find(&users).Error; err != nil {
		return nil, fmt.Errorf("role change: %w", err)
	}
	out := make([]RoleChange, 0, len(users))
	for _, u := range users {
		out = append(out, RoleChange{User: u, Changes: u.Role != role})
	}
	return out, nil
}

// ChangeRoles gives every member named the role, in one transaction, and
// returns how many changed. The actor may not take themself out of
// committee this way (see bulkRoleError).
func ChangeRoles(ctx context.Context, st *store.Store, actor User, ids []int64, role Role, now time.Time) (int64, error) {
	if err := bulkRoleError(actor.ID, ids, role).Err(); err != nil {
		return 0, err
	}
	var n int64
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var names []string
		if err := tx.Model(&User{}).Where("id IN ? AND role <> ?", ids, role).Order("LOWER(name), id").Pluck("name", &names).Error; err != nil {
			return err
		}
		res := tx.Model(&User{}).Where("id IN ? AND role <> ?", ids, role).
			Updates(map[string]any{"role": role, "updated_at": now.UTC()})
		n = res.RowsAffected
		if res.Error != nil || n == 0 {
			return res.Error
		}
		return audit(tx, actor, AuditRolesChanged, countWord(int(n), "member", "members")+" made "+role.Label(), strings.Join(names, ", "), now)
	})
	if err != nil {
		return 0, fmt.Errorf("role change: %w", err)
	}
	return n, nil
}
