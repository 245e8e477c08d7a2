package sohoa

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error codes, stable for programs; mapped to HTTP statuses in one table in
// package api.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EUNSUPPORTED  = "unsupported_media_type"
	ETOOLARGE     = "too_large"
	EUNAVAILABLE  = "unavailable"
	ETOOMANY      = "rate_limited" // too many requests, or failed logins: wait
	EBUSY         = "busy"         // the OCR queue is full: send again later
	EINTERNAL     = "internal"
)

// Error is an error a user may read: Code for programs, Message in Vietnamese
// for the clerk or official. Err, when set, is the cause kept for the logs.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when one is.
	Field string
	// Fields lists every field at fault when there are several (Field and
	// Message are then the first's).
	Fields []FieldProblem
	// Existing names the record a conflict is with, when the caller may
	// know of it.
	Existing string
	// RetryAfter is how long to wait before trying again, when it is known.
	RetryAfter time.Duration
	Err        error
}

// FieldProblem is what is wrong with one input field.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted Vietnamese message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error naming the field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Problems gathers what is wrong with several fields, so that a form is
// answered with all of it at once.
type Problems []FieldProblem

// Add notes a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// AddError notes err: each field of an *Error with fields, its message
// under its field otherwise. Errors that are not EINVALID are returned.
func (p *Problems) AddError(err error) error {
	var e *Error
	if err == nil {
		return nil
	}
	if !errors.As(err, &e) || e.Code != EINVALID {
		return err
	}
	if len(e.Fields) > 0 {
		*p = append(*p, e.Fields...)
	} else {
		*p = append(*p, FieldProblem{Field: e.Field, Message: e.Message})
	}
	return nil
}

// Err returns nil when there is no problem, else one EINVALID error
// holding them all: its message lists them, its Field is the first's.
func (p Problems) Err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return &Error{Code: EINVALID, Field: p[0].Field, Message: p[0].Message}
	}
	msgs := make([]string, len(p))
	for i, f := range p {
		msgs[i] = f.Message
	}
	return &Error{Code: EINVALID, Field: p[0].Field, Fields: p, Message: strings.Join(msgs, " ")}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; an internal error
// shows only that it happened, never its cause.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Lỗi hệ thống, vui lòng thử lại sau (internal error)."
}

// IsNotFound reports whether err carries ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }
