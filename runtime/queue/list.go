package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Row is one job as `gbhook jobs` shows it. The JSON keys are the command's
// --json output.
type Row struct {
	ID          int64     `json:"id"`
	State       string    `json:"state"`
	Sub         string    `json:"sub"`
	Attempt     int       `json:"attempt"`
	MaxAttempts int       `json:"max_attempts"`
	SpawnedAt   string    `json:"spawned_at"` // the SPAWN's file:line
	RequestID   string    `json:"request_id"`
	Error       string    `json:"error"` // the last error, "" when none
	ErrorAt     time.Time `json:"-"`
}

// States are the values `gbhook jobs --state` takes; failed means cancelled
// and discarded, the dead letters.
var States = []string{"failed", "available", "running", "retryable", "scheduled", "completed", "discarded", "cancelled"}

// List gives up to limit jobs in state ("" for all), newest first.
func (q *Queue) List(ctx context.Context, state string, limit int) ([]Row, error) {
	p := river.NewJobListParams().Kinds(kind).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit)
	switch state {
	case "":
	case "failed":
		p = p.States(rivertype.JobStateCancelled, rivertype.JobStateDiscarded)
	default:
		p = p.States(rivertype.JobState(state))
	}
	res, err := q.b.list(ctx, p)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, len(res.Jobs))
	for i, j := range res.Jobs {
		rows[i] = rowOf(j)
	}
	return rows, nil
}

// Retry makes job id available to run again now (a dead letter included).
func (q *Queue) Retry(ctx context.Context, id int64) (Row, error) {
	return q.change(ctx, id, q.b.retry)
}

// Cancel cancels job id; a running one is cancelled by its worker.
func (q *Queue) Cancel(ctx context.Context, id int64) (Row, error) {
	return q.change(ctx, id, q.b.cancel)
}

func (q *Queue) change(ctx context.Context, id int64, fn func(context.Context, int64) (*rivertype.JobRow, error)) (Row, error) {
	if _, err := q.b.get(ctx, id); err != nil {
		if errors.Is(err, rivertype.ErrNotFound) {
			return Row{}, fmt.Errorf("no job with id %d", id)
		}
		return Row{}, err
	}
	j, err := fn(ctx, id)
	if err != nil {
		return Row{}, err
	}
	return rowOf(j), nil
}

func rowOf(j *rivertype.JobRow) Row {
	r := Row{ID: j.ID, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts}
	var a spawnArgs
	if err := decodeArgs(j.EncodedArgs, &a); err == nil {
		r.Sub, r.RequestID = a.Sub, a.RequestID
		r.SpawnedAt = fmt.Sprintf("%s:%d", a.File, a.Line)
	}
	if n := len(j.Errors); n > 0 {
		e := j.Errors[n-1]
		r.Error, r.ErrorAt = strings.TrimPrefix(e.Error, "JobCancelError: "), e.At
	}
	return r
}

// Pending counts the jobs still to run (available, scheduled, retryable or
// running), by SUB.
func (q *Queue) Pending(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	p := river.NewJobListParams().Kinds(kind).First(10000).States(rivertype.JobStateAvailable,
		rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStateRunning)
	for {
		res, err := q.b.list(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, j := range res.Jobs {
			var a spawnArgs
			if decodeArgs(j.EncodedArgs, &a) == nil {
				counts[a.Sub]++
			}
		}
		if len(res.Jobs) < 10000 || res.LastCursor == nil {
			return counts, nil
		}
		p = p.After(res.LastCursor)
	}
}
