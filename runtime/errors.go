package runtime

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gbhook/gbhook/lang"
)

// Sentinels that decide the HTTP status of a failed run (see StatusOf).
var (
	// ErrBadRequest marks errors caused by the request's own content (400).
	ErrBadRequest = errors.New("bad request")
	// ErrStepBudget is a run that took more steps than Options.MaxSteps (503).
	ErrStepBudget = errors.New("step budget exceeded")
	// ErrDeadline is a run whose context ended: deadline or cancellation (503).
	ErrDeadline = errors.New("deadline exceeded")
	// ErrMemoryBudget is a run that allocated more than Options.MaxMemory (503).
	ErrMemoryBudget = errors.New("memory budget exceeded")
	// ErrRecursion is a SUB/FUNCTION call deeper than Options.MaxDepth (500).
	ErrRecursion = errors.New("recursion too deep")
)

// Error is a runtime error at a place in a script. Err, when set, is the cause
// (a sentinel above, or a builtin's own error) so errors.Is/As reach it.
type Error struct {
	Pos lang.Pos
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// StatusOf maps a run's error to the HTTP status the server answers:
// 400 for bad request content, 503 for a budget (steps, memory) or the
// deadline, else 500.
func StatusOf(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, ErrStepBudget), errors.Is(err, ErrDeadline), errors.Is(err, ErrMemoryBudget),
		errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// BadRequest makes an error with text msg that is both ErrBadRequest (400)
// and, when cause is not nil, cause.
func BadRequest(msg string, cause error) error {
	return &badRequestError{msg: msg, cause: cause}
}

type badRequestError struct {
	msg   string
	cause error
}

func (e *badRequestError) Error() string { return e.msg }

func (e *badRequestError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrBadRequest}
	}
	return []error{ErrBadRequest, e.cause}
}

// errCanceled is a run whose context was canceled before its deadline.
var errCanceled error = &causeError{msg: "run canceled", err: ErrDeadline}

// causeError is a message of its own over a sentinel cause.
type causeError struct {
	msg string
	err error
}

func (e *causeError) Error() string { return e.msg }

func (e *causeError) Unwrap() error { return e.err }

// errAt is a positioned error without a cause.
func errAt(p lang.Pos, msg string) error { return &Error{Pos: p, Msg: msg} }

// builtinError positions a builtin's error at its call site, keeping the
// builtin's error as the cause. An error already positioned is kept as is.
func builtinError(site *lang.CallExpr, err error) error {
	if re, ok := err.(*Error); ok {
		return re
	}
	return &Error{Pos: site.P, Msg: err.Error(), Err: err}
}

// Describe renders a value for an error message, short enough for one log
// line: strings quoted, JSON marked as such, numbers and booleans as printed.
// It is the one way the runtime and the builtins show a value in an error.
func Describe(v Value) string {
	switch x := v.(type) {
	case Str:
		return strconv.Quote(shorten(string(x)))
	case JSON:
		return "JSON " + shorten(string(x))
	case nil:
		return "nothing"
	}
	return v.String()
}

// shorten cuts s after 40 characters (code points, as strings count in the
// dialect), marking the cut with "…". An invalid byte counts as one character.
func shorten(s string) string {
	const max = 40
	i := 0
	for n := 0; i < len(s); n++ {
		if n == max {
			return s[:i] + "…"
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s
}
