package runtime

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"unsafe"
)

// Pooled Threads carry nothing from one run to the next: concurrent runs
// each see their own request, and every response and job stays as its run
// made it after the Thread has served other runs. Run with -race.
func TestPooledThreadsDoNotLeakBetweenRuns(t *testing.T) {
	src := `ON WEBHOOK POST TO "/t" DO
  N$ = GET FORM VALUE "n"
  S = "<r>"
  S = S + N$ + ":" + N$
  S = S + "</r>"
  IF N$ = "0" THEN SET RESPONSE HEADER "X-Zero" TO "yes"
  SPAWN LATER S
  PRINT S
END ON
SUB LATER(X$)
END SUB
`
	prog := checked(t, src)
	m := machineOf(t, prog, testReg, Options{})
	const workers, runs = 8, 200
	type result struct {
		n    int
		resp *Response
		jobs []Job
	}
	results := make([][]result, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range runs {
				n := w*runs + i
				req := &Request{Method: "POST", Path: "/t", Body: []byte(fmt.Sprintf("n=%d", n)),
					Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
				resp, jobs, err := m.Exec(context.Background(), prog.Handlers[0], req, fmt.Sprint("req-", n))
				if err != nil {
					t.Error(err)
					return
				}
				results[w] = append(results[w], result{n, resp, jobs})
			}
		}()
	}
	wg.Wait()
	for _, rs := range results {
		for _, r := range rs {
			want := fmt.Sprintf("<r>%d:%d</r>", r.n, r.n)
			if string(r.resp.Body) != want {
				t.Errorf("run %d: body %q, want %q", r.n, r.resp.Body, want)
			}
			if zero := r.resp.Header.Get("X-Zero"); (zero == "yes") != (r.n == 0) {
				t.Errorf("run %d: X-Zero %q", r.n, zero)
			}
			if len(r.jobs) != 1 || r.jobs[0].RequestID != fmt.Sprint("req-", r.n) || r.jobs[0].Args[0] != Str(want) {
				t.Errorf("run %d: jobs %+v", r.n, r.jobs)
			}
		}
	}
}

// TestDoneZeroesEveryField: done resets a Thread field by field; a field
// added later and forgotten there would carry one run's state into the next.
// Every field is set here, through reflection, and must come back zero (the
// stack and the texts keep their arrays, emptied and cleared).
func TestDoneZeroesEveryField(t *testing.T) {
	m := &Machine{}
	th := &Thread{stack: make([]Value, 4, 8)}
	v := reflect.ValueOf(th).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := reflect.NewAt(v.Field(i).Type(), unsafe.Pointer(v.Field(i).UnsafeAddr())).Elem()
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(7)
		case reflect.String:
			f.SetString("x")
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		case reflect.Slice:
			if name := v.Type().Field(i).Name; name != "stack" && name != "texts" {
				f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			}
		case reflect.Interface:
			switch f.Type() {
			case reflect.TypeFor[Value]():
				f.Set(reflect.ValueOf(Str("x")))
			case reflect.TypeFor[context.Context]():
				f.Set(reflect.ValueOf(context.Background()))
			default:
				t.Fatalf("field %s: no test value for %s", v.Type().Field(i).Name, f.Type())
			}
		default:
			t.Fatalf("field %s: no test value for kind %s", v.Type().Field(i).Name, f.Kind())
		}
	}
	th.stack[2], th.high = Str("kept?"), 3
	th.texts = []string{"a", "left over"} // as a panic in an append run leaves them
	m.done(th)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if name != "stack" && name != "texts" && !v.Field(i).IsZero() {
			t.Errorf("field %s is not zero after done", name)
		}
	}
	if len(th.stack) != 0 || cap(th.stack) != 8 || th.stack[:3][2] != nil {
		t.Errorf("stack: len %d cap %d, slot 2 %v", len(th.stack), cap(th.stack), th.stack[:3][2])
	}
	if len(th.texts) != 0 || th.texts[:2][1] != "" {
		t.Errorf("texts: len %d, keeps %q", len(th.texts), th.texts[:2])
	}
}
