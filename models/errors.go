package models

import (
	"errors"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// Kind sorts domain errors into what the caller did wrong, so the HTTP layer
// can choose a status code without knowing the rule.
type Kind int

// The kinds of domain error.
const (
	KindNotFound      Kind = iota + 1 // no such thing, or not for you to know
	KindConflict                      // clashes with the current state
	KindForbidden                     // known, but not allowed
	KindUnprocessable                 // well-formed, but the rule says no
	KindUnauthorized                  // bad credentials
	KindRateLimited                   // too many attempts
)

// Error is a domain error with a stable snake_case code and a sentence safe
// to show the user.
type Error struct {
	Kind    Kind
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errors every part of Rounds may return.
var (
	ErrNotFound           = &Error{KindNotFound, "not_found", "There is no such thing, or you may not see it."}
	ErrForbidden          = &Error{KindForbidden, "forbidden", "You are not allowed to do that."}
	ErrBadCredentials     = &Error{KindUnauthorized, "invalid_credentials", "That e-mail address and password do not match an account."}
	ErrEmailTaken         = &Error{KindConflict, "email_taken", "An account with that e-mail address already exists."}
	ErrTokenInvalid       = &Error{KindUnprocessable, "invalid_token", "That link is invalid, has expired or has already been used."}
	ErrEmailDomainBlocked = &Error{KindUnprocessable, "email_domain_not_allowed", "Sign-up is limited to the society's e-mail domains."}
)

// RateLimitedError says how long to wait before trying again.
type RateLimitedError struct {
	RetryAfterSeconds int
	Message           string // what to tell the caller, when more is known than the default
}

func (e *RateLimitedError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return "Too many failed attempts. Please wait and try again."
}

// ValidationError lists what is wrong with each field of an input.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Problems collects field errors while an input is checked.
type Problems map[string]string

// Add records what is wrong with field, keeping the first problem found.
func (p Problems) Add(field, message string) {
	if _, ok := p[field]; !ok {
		p[field] = message
	}
}

// Err returns a *ValidationError if any problem was found, else nil.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Fields: map[string]string(p)}
}

// notFound turns GORM's "record not found" into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// isDuplicate tells whether err is a unique-index violation.
func isDuplicate(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	// Drivers that GORM does not translate.
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "duplicate key value")
}
