package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gbhook/gbhook/runtime/queue"
)

// JobsCmd is `gbhook jobs`: the SPAWNed jobs in serve's database.
type JobsCmd struct {
	Data        string `help:"Data directory holding gbhook.db (as serve)." default:"./data" env:"GBHOOK_DATA"`
	DatabaseURL string `help:"PostgreSQL URL (as serve); default: SQLite in --data." env:"GBHOOK_DATABASE_URL"`

	List   JobsListCmd   `cmd:"" default:"withargs" help:"List jobs, newest first (the default)."`
	Retry  JobsRetryCmd  `cmd:"" help:"Run a job again now (a failed one included)."`
	Cancel JobsCancelCmd `cmd:"" help:"Cancel a job."`
}

// JobsListCmd is `gbhook jobs [list]`.
type JobsListCmd struct {
	State string `help:"Only jobs in this state; failed means cancelled or discarded." enum:"failed,available,running,retryable,scheduled,completed,discarded,cancelled,"  default:""`
	Limit int    `help:"At most this many jobs." default:"100"`
	JSON  bool   `name:"json" help:"One JSON object per line."`
}

// JobsRetryCmd is `gbhook jobs retry ID`.
type JobsRetryCmd struct {
	ID int64 `arg:"" help:"The job's id."`
}

// JobsCancelCmd is `gbhook jobs cancel ID`.
type JobsCancelCmd struct {
	ID int64 `arg:"" help:"The job's id."`
}

// open opens the queue for administration: no workers. An embedded database
// that does not exist yet is an error, not a new empty file.
func (c *JobsCmd) open() (*queue.Queue, error) {
	if c.DatabaseURL == "" {
		if _, err := os.Stat(c.Data + "/gbhook.db"); err != nil {
			return nil, fmt.Errorf("no job database in %s (is --data the directory serve uses?)", c.Data)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return queue.Open(ctx, queue.Config{DataDir: c.Data, DatabaseURL: c.DatabaseURL})
}

// Run lists the jobs.
func (l *JobsListCmd) Run(c *JobsCmd) error {
	if l.Limit <= 0 {
		return fmt.Errorf("--limit must be positive")
	}
	q, err := c.open()
	if err != nil {
		return err
	}
	defer q.Close()
	rows, err := q.List(context.Background(), l.State, l.Limit)
	if err != nil {
		return err
	}
	if l.JSON {
		return writeJSONRows(os.Stdout, rows)
	}
	return writeTable(os.Stdout, rows)
}

func writeJSONRows(w io.Writer, rows []queue.Row) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

func writeTable(w io.Writer, rows []queue.Row) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSUB\tATTEMPT\tSPAWNED AT\tERROR\tERROR AT")
	for _, r := range rows {
		at := ""
		if !r.ErrorAt.IsZero() {
			at = r.ErrorAt.UTC().Format(time.RFC3339)
		}
		msg := strings.ReplaceAll(r.Error, "\n", " ")
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", r.ID, r.State, r.Sub, r.Attempt, r.MaxAttempts,
			r.SpawnedAt, msg, at)
	}
	return tw.Flush()
}

// Run makes the job available again.
func (r *JobsRetryCmd) Run(c *JobsCmd) error {
	return change(c, r.ID, (*queue.Queue).Retry, "retried")
}

// Run cancels the job.
func (r *JobsCancelCmd) Run(c *JobsCmd) error {
	return change(c, r.ID, (*queue.Queue).Cancel, "cancelled")
}

func change(c *JobsCmd, id int64, fn func(*queue.Queue, context.Context, int64) (queue.Row, error), what string) error {
	q, err := c.open()
	if err != nil {
		return err
	}
	defer q.Close()
	row, err := fn(q, context.Background(), id)
	if err != nil {
		return err
	}
	fmt.Printf("job %d %s: now %s\n", row.ID, what, row.State)
	return nil
}
