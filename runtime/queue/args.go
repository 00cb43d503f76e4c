package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// kind is the River job kind of a SPAWNed SUB.
const kind = "gbhook_spawn"

// spawnArgs is a runtime.Job as River stores it: JSON, readable in the
// database and by `gbhook jobs`.
type spawnArgs struct {
	Sub       string  `json:"sub"`
	Args      []value `json:"args"`
	File      string  `json:"file"`
	Line      int     `json:"line"`
	Col       int     `json:"col"`
	RequestID string  `json:"request_id"`
}

func (spawnArgs) Kind() string { return kind }

func argsOf(j runtime.Job) spawnArgs {
	a := spawnArgs{Sub: j.Sub, Args: make([]value, len(j.Args)), File: j.Pos.File, Line: j.Pos.Line,
		Col: j.Pos.Col, RequestID: j.RequestID}
	for i, v := range j.Args {
		a.Args[i] = value{v}
	}
	return a
}

func (a spawnArgs) pos() lang.Pos { return lang.Pos{File: a.File, Line: a.Line, Col: a.Col} }

func (a spawnArgs) job() runtime.Job {
	j := runtime.Job{Sub: a.Sub, Args: make([]runtime.Value, len(a.Args)), Pos: a.pos(), RequestID: a.RequestID}
	for i, v := range a.Args {
		j.Args[i] = v.Value
	}
	return j
}

// value encodes one runtime.Value faithfully, tagged by kind: {"s":"text"},
// {"n":1.5} (or {"n":"NaN"}, {"n":"+Inf"}, {"n":"-Inf"}, which JSON numbers
// cannot hold), {"b":true}, and {"j":<the JSON value itself>}.
type value struct{ runtime.Value }

func (v value) MarshalJSON() ([]byte, error) {
	switch x := v.Value.(type) {
	case runtime.Str:
		b, err := json.Marshal(string(x))
		return append(append([]byte(`{"s":`), b...), '}'), err
	case runtime.Num:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return []byte(`{"n":"` + strconv.FormatFloat(f, 'g', -1, 64) + `"}`), nil
		}
		return []byte(`{"n":` + strconv.FormatFloat(f, 'g', -1, 64) + `}`), nil
	case runtime.Bool:
		return []byte(`{"b":` + strconv.FormatBool(bool(x)) + `}`), nil
	case runtime.JSON:
		if !json.Valid(x) {
			return nil, errors.New("queue: a JSON argument is not valid JSON")
		}
		return append(append([]byte(`{"j":`), x...), '}'), nil
	}
	return nil, fmt.Errorf("queue: cannot store a value of type %T", v.Value)
}

func (v *value) UnmarshalJSON(b []byte) error {
	var t struct {
		S *string         `json:"s"`
		N json.RawMessage `json:"n"`
		B *bool           `json:"b"`
		J json.RawMessage `json:"j"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	switch {
	case t.S != nil:
		v.Value = runtime.Str(*t.S)
	case t.N != nil:
		return v.number(t.N)
	case t.B != nil:
		v.Value = runtime.Bool(*t.B)
	case t.J != nil:
		v.Value = runtime.JSON(append([]byte(nil), t.J...))
	default:
		return fmt.Errorf("queue: stored argument %s has no s, n, b or j", b)
	}
	return nil
}

func (v *value) number(raw json.RawMessage) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !(math.IsNaN(f) || math.IsInf(f, 0)) {
			return fmt.Errorf("queue: stored number %s is not NaN or an infinity", raw)
		}
		v.Value = runtime.Num(f)
		return nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return fmt.Errorf("queue: stored number %s: %w", raw, err)
	}
	v.Value = runtime.Num(f)
	return nil
}

func decodeArgs(b []byte, a *spawnArgs) error { return json.Unmarshal(b, a) }
