package history

// apply folds one event into r: a log line or a delivery is appended; a job
// outcome updates the oldest unfinished job of that SUB, or adds it.
func (r *Record) apply(e Event) {
	switch {
	case e.Log != nil:
		r.Logs = append(r.Logs, *e.Log)
	case e.Delivery != nil:
		r.Deliveries = append(r.Deliveries, *e.Delivery)
	case e.Job != nil:
		for i := range r.Jobs {
			j := &r.Jobs[i]
			if j.Sub == e.Job.Sub && (j.State == JobQueued || j.State == JobRetried) {
				j.State, j.Error, j.Time = e.Job.State, e.Job.Error, e.Job.Time
				j.Attempts = max(j.Attempts, e.Job.Attempts)
				return
			}
		}
		r.Jobs = append(r.Jobs, *e.Job)
	}
}
