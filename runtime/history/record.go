// Package history keeps what happened to each webhook request: the request
// and response (redacted and capped), the script's LOG lines, the error and
// its position, the SPAWNed jobs with their outcomes and the deliveries made.
// A Recorder takes records off the request path through a bounded buffer and
// writes them in batches to a Store; the admin listener reads them back.
// It imports nothing of ours but runtime/secret (a leaf).
package history

import (
	"net/http"
	"time"
)

// Record is one request as the JSON API shows it. The json names are the
// API's contract.
type Record struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"` // with the query
	Route      string    `json:"route"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	Error      string    `json:"error"` // file:line:col: message, or ""
	ReplayOf   *int64    `json:"replay_of"`
	Duplicate  bool      `json:"duplicate"`

	// Detail: only in GET /api/requests/{id}.
	RequestID   string       `json:"request_id,omitempty"`
	Steps       int          `json:"steps"`
	Request     *Message     `json:"request,omitempty"`
	Response    *Message     `json:"response,omitempty"`
	ErrorSource *SourceLines `json:"error_source,omitempty"`
	Logs        []Log        `json:"logs"`
	Jobs        []Job        `json:"jobs"`
	Deliveries  []Delivery   `json:"deliveries"`

	// Raw parts filled on the request path and turned into Request/Response
	// bodies (capped, redacted) by the recorder, off the request path.
	ReqBody  []byte   `json:"-"`
	RespBody []byte   `json:"-"`
	ErrorPos *ErrorAt `json:"-"`
	// Unkept: the history had no room when the request started. The record
	// is counted (metrics, a drop) but not stored, and its bodies were never
	// copied.
	Unkept bool `json:"-"`
}

// Summary is the list form of a Record: the fields GET /api/requests shows.
type Summary struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Route      string    `json:"route"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	Error      string    `json:"error"`
	ReplayOf   *int64    `json:"replay_of"`
	Duplicate  bool      `json:"duplicate"`
}

// Summary gives r's list form.
func (r *Record) Summary() Summary {
	return Summary{ID: r.ID, Time: r.Time, Method: r.Method, Path: r.Path, Route: r.Route,
		Status: r.Status, DurationMS: r.DurationMS, Error: r.Error, ReplayOf: r.ReplayOf, Duplicate: r.Duplicate}
}

// Message is a request or a response: headers and a capped body.
type Message struct {
	Status    int         `json:"status,omitempty"` // responses only
	Headers   http.Header `json:"headers"`
	Body      string      `json:"body"`
	Truncated bool        `json:"truncated"`
}

// ErrorAt is where a run failed.
type ErrorAt struct {
	File      string
	Line, Col int
}

// SourceLines is the failing line of a script with a few lines around it,
// read when the record is written (the script may be fixed later).
type SourceLines struct {
	File  string       `json:"file"`
	Line  int          `json:"line"`
	Col   int          `json:"col"`
	Lines []SourceLine `json:"lines"`
}

// SourceLine is one numbered line of a script.
type SourceLine struct {
	N    int    `json:"n"`
	Text string `json:"text"`
}

// Log is one line a script logged (LOG, and the delivery builtins' lines).
type Log struct {
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
	At    string    `json:"at"` // file:line
}

// Job is a SPAWNed SUB and, once known, its outcome.
type Job struct {
	Sub      string    `json:"sub"`
	State    string    `json:"state"` // queued, completed, retried, failed
	Attempts int       `json:"attempts"`
	Error    string    `json:"error"`
	Time     time.Time `json:"time"`
}

// Delivery is one mail, WhatsApp message, LLM call or outbound HTTP call.
type Delivery struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"`    // mail, whatsapp, llm, http
	Outcome string    `json:"outcome"` // ok, transient, permanent
	To      string    `json:"to"`
	Where   string    `json:"where"`
	Error   string    `json:"error"`
	// An http call's: never its query, headers or bodies.
	Method     string  `json:"method,omitempty"`
	Host       string  `json:"host,omitempty"`
	Path       string  `json:"path,omitempty"`
	Status     int     `json:"status,omitempty"`
	DurationMS float64 `json:"duration_ms,omitempty"`
}

// Job states and delivery outcomes.
const (
	JobQueued    = "queued"
	JobCompleted = "completed"
	JobRetried   = "retried"
	JobFailed    = "failed"

	OutcomeOK        = "ok"
	OutcomeTransient = "transient"
	OutcomePermanent = "permanent"
)

// Event is something that happened to a request after (or while) it was
// answered: a log line, a job outcome, a delivery. Events are stored apart
// from records and joined by request id when a record is read.
type Event struct {
	RequestID string
	Time      time.Time
	Log       *Log
	Job       *Job
	Delivery  *Delivery
}

// Filter selects records for List.
type Filter struct {
	Route  string
	Status int   // 0: any
	Before int64 // 0: newest; else ids below this
	Limit  int
}
