package models

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"rounds/models/store"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// PasswordCost is bcrypt's work factor. Tests lower it.
var PasswordCost = bcrypt.DefaultCost

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 10

const maxPasswordLength = 1000

// User is a member of the society: a student, a teacher or committee.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Role         Role      `json:"role"`
	YearOfStudy  *int      `json:"year_of_study"`
	CreatedAt    time.Time `json:"-"`
	UpdatedAt    time.Time `json:"-"`
	// EmailConfirmed: the member has shown the address is theirs (or was
	// given the account by committee, the command line or the demo). An
	// account is written confirmed unless SignUp says otherwise.
	EmailConfirmed bool `json:"email_confirmed" gorm:"default:true"`
}

// IsCommittee tells whether u may do everything.
func (u *User) IsCommittee() bool { return u != nil && u.Role == RoleCommittee }

// CanTeach tells whether u may create teaching sessions.
func (u *User) CanTeach() bool {
	return u != nil && (u.Role == RoleTeacher || u.Role == RoleCommittee)
}

// YearLabel is the year of study as people say it.
func (u *User) YearLabel() string {
	if u.YearOfStudy == nil {
		return "Graduate"
	}
	return "Year " + string(rune('0'+*u.YearOfStudy))
}

// NewUser is what it takes to create an account.
type NewUser struct {
	Email       string
	Name        string
	Password    string
	Role        Role
	YearOfStudy *int
	// PasswordHash, from HashPassword, may stand in for Password when many
	// accounts share one (the demo society); Password is then not checked.
	PasswordHash string
}

// NormalizeEmail lower-cases and trims an address, so that e-mail is
// case-insensitive everywhere.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"\r\n") || !plainText(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

func checkName(p Problems, name string) {
	switch {
	case name == "":
		p.Add("name", "Enter your name.")
	case utf8.RuneCountInString(name) > 100:
		p.Add("name", "Use at most 100 characters.")
	case strings.ContainsAny(name, "\r\n\t"):
		p.Add("name", "Use a single line.")
	case !plainText(name):
		p.Add("name", "Use letters, spaces and punctuation only: no control or direction characters.")
	}
}

// plainText tells whether s is valid UTF-8 without control characters or
// the invisible marks that reverse the direction of text (U+202A–202E,
// U+2066–2069), which would reach calendar files, PDFs and e-mails as they
// are and could make a name read as something else.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return false
		}
	}
	return true
}

func checkYear(p Problems, y *int) {
	if y != nil && (*y < 1 || *y > 6) {
		p.Add("year_of_study", "Choose a year from 1 to 6, or graduate.")
	}
}

// CheckPassword says what is wrong with a new password, or "".
func CheckPassword(pw string) string {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLength:
		return "Use at least 10 characters."
	case n > maxPasswordLength:
		return "Use at most 1000 characters."
	}
	return ""
}

// HashPassword hashes pw with bcrypt. The password is first reduced with
// SHA-256 so that long passphrases are not cut at bcrypt's 72 bytes.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(pw), PasswordCost)
	return string(h), err
}

func prehash(pw string) []byte {
	sum := sha256.Sum256([]byte(pw))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// dummyHash is compared against when no account matches, so that an unknown
// e-mail takes as long to refuse as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword(prehash("rounds-no-such-user"), bcrypt.DefaultCost)

// CreateUser validates nu and stores a new account.
func CreateUser(ctx context.Context, st *store.Store, nu NewUser, allowedDomains []string) (User, error) {
	u, err := newUser(nu, allowedDomains)
	if err != nil {
		return User{}, err
	}
	if err := st.Write(ctx, func(tx *gorm.DB) error { return insertUser(tx, &u) }); err != nil {
		return User{}, err
	}
	return u, nil
}

// newUser checks a new member's details and hashes their password.
func newUser(nu NewUser, allowedDomains []string) (User, error) {
	p := Problems{}
	email := NormalizeEmail(nu.Email)
	name := strings.TrimSpace(nu.Name)
	if email == "" {
		p.Add("email", "Enter your e-mail address.")
	} else if !validEmail(email) {
		p.Add("email", "Enter an e-mail address like name@example.ac.uk.")
	} else {
		checkDomain(p, email, allowedDomains)
	}
	checkName(p, name)
	if nu.PasswordHash == "" {
		if msg := CheckPassword(nu.Password); msg != "" {
			p.Add("password", msg)
		}
	}
	checkYear(p, nu.YearOfStudy)
	role := nu.Role
	if role == "" {
		role = RoleStudent
	}
	if !role.Valid() {
		p.Add("role", ChooseMessage(Roles...))
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	hash := nu.PasswordHash
	if hash == "" {
		var err error
		if hash, err = HashPassword(nu.Password); err != nil {
			return User{}, err
		}
	}
	return User{Email: email, Name: name, PasswordHash: hash, Role: role, YearOfStudy: nu.YearOfStudy, EmailConfirmed: true}, nil
}

// CheckNewUser says everything that is wrong with a new member's details
// at once, each problem under its field; nil when nothing is.
func CheckNewUser(nu NewUser, allowedDomains []string) error {
	p := Problems{}
	if nu.PasswordHash == "" {
		if msg := CheckPassword(nu.Password); msg != "" {
			p.Add("password", msg)
		}
		nu.PasswordHash = "-" // checked here: newUser then hashes nothing
	}
	_, err := newUser(nu, allowedDomains)
	var ve *ValidationError
	if errors.As(err, &ve) {
		for k, v := range ve.Fields {
			p.Add(k, v)
		}
	}
	return p.Err()
}

// checkDomain refuses an address outside the society's domains, if it
// names any.
func checkDomain(p Problems, email string, allowedDomains []string) {
	if len(allowedDomains) == 0 {
		return
	}
	_, domain, _ := strings.Cut(email, "@")
	for _, d := range allowedDomains {
		if domain == d {
			return
		}
	}
	p.Add("email", "Use your "+strings.Join(allowedDomains, " or ")+" address.")
}

// insertUser stores a new member checked by newUser, in the transaction tx.
func insertUser(tx *gorm.DB, u *User) error {
	if err := tx.Create(u).Error; err != nil {
		if isDuplicate(err) {
			return ErrEmailTaken
		}
		return err
	}
	return recordYear(tx, u.ID, u.YearOfStudy, u.CreatedAt)
}

// Authenticate returns the user whose e-mail and password match, or
// ErrBadCredentials; unknown e-mail and wrong password look the same.
func Authenticate(ctx context.Context, st *store.Store, email, password string) (User, error) {
	db := st.Read(ctx)
	var u User
	err := db.Where("email = ?", NormalizeEmail(email)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, prehash(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if !hasPassword(u.PasswordHash) {
		// No password to check (single sign-on, erased): as slow as a
		// wrong one, so that the answer's time tells nothing either.
		_ = bcrypt.CompareHashAndPassword(dummyHash, prehash(password))
		return User{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), prehash(password)) != nil {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// UserByID returns one user.
func UserByID(ctx context.Context, st *store.Store, id int64) (User, error) {
	return userByID(st.Read(ctx), id)
}

// userByID is UserByID on a handle given by the caller (a transaction, or a read).
func userByID(db *gorm.DB, id int64) (User, error) {
	var u User
	err := db.Take(&u, id).Error
	return u, notFound(err)
}

// UserNames maps each of the ids that is a member to the member's name, in
// one query; ids of deleted members are left out.
func UserNames(ctx context.Context, st *store.Store, ids []int64) (map[int64]string, error) {
	return userNames(st.Read(ctx), ids)
}

// userNames is UserNames on a handle given by the caller.
func userNames(db *gorm.DB, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := db.Model(&User{}).Select("id, name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("user names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// UserByEmail returns the user with that e-mail address.
func UserByEmail(ctx context.Context, st *store.Store, email string) (User, error) {
	return userByEmail(st.Read(ctx), email)
}

// userByEmail is UserByEmail on a handle given by the caller (a transaction, or a read).
func userByEmail(db *gorm.DB, email string) (User, error) {
	var u User
	err := db.Where("email = ?", NormalizeEmail(email)).Take(&u).Error
	return u, notFound(err)
}

// UserFilter narrows FindUsers.
type UserFilter struct {
	Role        Role
	YearOfStudy *int // 0 means graduates
	Query       string
	Limit       int
}

// FindUsers lists members matching f, by name.
func FindUsers(ctx context.Context, st *store.Store, f UserFilter) ([]User, error) {
	p := Problems{}
	if f.Role != "" && !f.Role.Valid() {
		p.Add("role", ChooseMessage(Roles...))
	}
	checkSearch(p, f.Query)
	if err := p.Err(); err != nil {
		return nil, err
	}
	db := st.Read(ctx)
	q := membersWhere(db.Model(&User{}), f)
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var users []User
	err := q.Order("name, id").Limit(limit).Find(&users).Error
	return users, err
}

// MaxSearch is the longest search a list accepts, in characters: longer
// ones are no name or title, and would only make the database work hard.
const MaxSearch = 200

// checkSearch refuses a search longer than MaxSearch.
func checkSearch(p Problems, q string) {
	if utf8.RuneCountInString(q) > MaxSearch {
		p.Add("q", fmt.Sprintf("Search with at most %d characters.", MaxSearch))
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UserChange is a committee edit of a member; nil fields stay as they are.
type UserChange struct {
	Role        *Role
	YearOfStudy **int // set to a nil *int to make a graduate
	Name        *string
	At          time.Time // when the change takes effect (the year-of-study history); zero is now
	By          *User     // the committee member making it: a role change is audited
}

// UpdateUser applies a committee edit to a member.
func UpdateUser(ctx context.Context, st *store.Store, id int64, ch UserChange) (User, error) {
	p := Problems{}
	updates := map[string]any{}
	if ch.Role != nil {
		if !ch.Role.Valid() {
			p.Add("role", ChooseMessage(Roles...))
		}
		updates["role"] = *ch.Role
	}
	if ch.YearOfStudy != nil {
		checkYear(p, *ch.YearOfStudy)
		updates["year_of_study"] = *ch.YearOfStudy
	}
	if ch.Name != nil {
		name := strings.TrimSpace(*ch.Name)
		checkName(p, name)
		updates["name"] = name
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	var u User
	err := st.Write(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&u, id).Error; err != nil {
			return notFound(err)
		}
		if len(updates) == 0 {
			return nil
		}
		oldYear, oldRole := u.YearOfStudy, u.Role
		if err := tx.Model(&u).Updates(updates).Error; err != nil {
			return err
		}
		if err := tx.Take(&u, id).Error; err != nil {
			return err
		}
		if ch.By != nil && oldRole != u.Role {
			if err := audit(tx, *ch.By, AuditRoleChanged, u.Name+" <"+u.Email+">", roleChangeDetail(oldRole, u.Role), auditTime(ch.At)); err != nil {
				return err
			}
		}
		if !sameYear(oldYear, u.YearOfStudy) {
			at := ch.At
			if at.IsZero() {
				at = time.Now()
			}
			return recordYear(tx, u.ID, u.YearOfStudy, at)
		}
		return nil
	})
	return u, err
}

func sameYear(a, b *int) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// UpdateProfile lets a member change their own name and year of study.
func UpdateProfile(ctx context.Context, st *store.Store, id int64, name string, year *int, now time.Time) (User, error) {
	return UpdateUser(ctx, st, id, UserChange{Name: &name, YearOfStudy: &year, At: now})
}

// ChangePassword sets a new password after checking the current one, and
// ends every other login and token of the user.
func ChangePassword(ctx context.Context, st *store.Store, userID int64, current, next string, keepTokenID int64) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), prehash(current)) != nil {
			return &ValidationError{Fields: map[string]string{"current_password": "That is not your current password."}}
		}
		if msg := CheckPassword(next); msg != "" {
			return &ValidationError{Fields: map[string]string{"password": msg}}
		}
		return setPassword(tx, userID, next, keepTokenID)
	})
}

func setPassword(tx *gorm.DB, userID int64, pw string, keepTokenID int64) error {
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	if err := tx.Model(&User{}).Where("id = ?", userID).Update("password_hash", hash).Error; err != nil {
		return err
	}
	return tx.Where("user_id = ? AND kind IN ? AND id <> ?", userID, []string{TokenLogin, TokenAPI, TokenPasswordReset}, keepTokenID).Delete(&Token{}).Error
}

// CountUsers counts all accounts.
func CountUsers(ctx context.Context, st *store.Store) (int64, error) {
	db := st.Read(ctx)
	var n int64
	err := db.Model(&User{}).Count(&n).Error
	return n, err
}

// Register creates a student account, confirmed at once, and queues its
// welcome e-mail in the same transaction.
func Register(ctx context.Context, st *store.Store, nu NewUser, allowedDomains []string, now time.Time) (User, error) {
	return SignUp(ctx, st, nu, SignUpRules{AllowedDomains: allowedDomains}, now)
}
