package queue

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// commitReq is one webhook's commit waiting for its group.
type commitReq struct {
	jobs []river.InsertManyParams
	keys []string
	done chan error
}

// maxGroup bounds the commits one transaction carries.
const maxGroup = 256

// groupTimeout bounds one group's transaction.
const groupTimeout = 30 * time.Second

var errClosed = errors.New("queue: closed")

// committer groups concurrent commits into one transaction: while one
// transaction runs, the commits that arrive meanwhile wait and go together in
// the next, so that a burst of webhooks pays for one write (and one fsync)
// rather than one each. A lone commit goes at once.
type committer struct {
	b     backend
	now   func() (now, expires int64)
	reqs  chan *commitReq
	quit  chan struct{}
	ended chan struct{}
}

func newCommitter(b backend, now func() (int64, int64)) *committer {
	c := &committer{b: b, now: now, reqs: make(chan *commitReq), quit: make(chan struct{}), ended: make(chan struct{})}
	go c.loop()
	return c
}

// commit queues a commit and waits for its group's outcome or ctx.
func (c *committer) commit(ctx context.Context, jobs []river.InsertManyParams, keys []string) error {
	r := &commitReq{jobs: jobs, keys: keys, done: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-c.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err() // the group may still commit it: at least once
	}
}

func (c *committer) loop() {
	defer close(c.ended)
	for {
		var group []*commitReq
		select {
		case r := <-c.reqs:
			group = append(group, r)
		case <-c.quit:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case r := <-c.reqs:
				group = append(group, r)
			default:
				break more
			}
		}
		c.run(group)
	}
}

func (c *committer) run(group []*commitReq) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	now, expires := c.now()
	errs := c.b.commitGroup(ctx, group, now, expires)
	for i, r := range group {
		r.done <- errs[i]
	}
}

func (c *committer) close() {
	close(c.quit)
	<-c.ended
}
