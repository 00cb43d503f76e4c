package lang

import (
	"testing"
	"time"
)

func TestScheduleCheck(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"five fields", "ON SCHEDULE \"*/5 * * * *\" DO\n  LOG 1\nEND ON\n", ""},
		{"descriptor", "ON SCHEDULE \"@daily\" DO\nEND ON\n", ""},
		{"every", "ON SCHEDULE \"@every 30s\" DO\nEND ON\n", ""},
		{"time zone", "ON SCHEDULE \"CRON_TZ=America/Sao_Paulo 0 9 * * 1-5\" DO\nEND ON\n", ""},
		{"same expression twice is allowed", "ON SCHEDULE \"@hourly\" DO\nEND ON\nON SCHEDULE \"@hourly\" DO\nEND ON\n", ""},
		{"may SPAWN", "SUB LATER(N)\n  LOG N\nEND SUB\nON SCHEDULE \"@hourly\" DO\n  SPAWN LATER 1\nEND ON\n", ""},
		{"too few fields", "ON SCHEDULE \"every day\" DO\nEND ON\n",
			`t.bas:1:13: bad schedule "every day": expected exactly 5 fields, found 2: [every day]`},
		{"seconds field is not five fields", "\n\nON SCHEDULE \"0 */5 * * * *\" DO\nEND ON\n",
			`t.bas:3:13: bad schedule "0 */5 * * * *": expected exactly 5 fields, found 6: [0 */5 * * * *]`},
		{"minute out of range", "ON SCHEDULE \"61 * * * *\" DO\nEND ON\n",
			`t.bas:1:13: bad schedule "61 * * * *": end of range (61) above maximum (59): 61`},
		{"bad every", "ON SCHEDULE \"@every soon\" DO\nEND ON\n",
			`t.bas:1:13: bad schedule "@every soon": failed to parse duration @every soon: time: invalid duration "soon"`},
		{"unknown descriptor", "ON SCHEDULE \"@fortnightly\" DO\nEND ON\n",
			`t.bas:1:13: bad schedule "@fortnightly": unrecognized descriptor: @fortnightly`},
		{"bad zone", "ON SCHEDULE \"CRON_TZ=Mars/Olympus 0 9 * * *\" DO\nEND ON\n",
			`t.bas:1:13: bad schedule "CRON_TZ=Mars/Olympus 0 9 * * *": provided bad location Mars/Olympus: unknown time zone Mars/Olympus`},
		{"empty", "ON SCHEDULE \"\" DO\nEND ON\n", `t.bas:1:13: bad schedule "": empty expression`},
		// Regression (found by FuzzParseCheck): robfig/cron panicked on a zone with nothing after it.
		{"zone alone", "ON SCHEDULE \"TZ=0\" DO\nEND ON\n",
			`t.bas:1:13: bad schedule "TZ=0": a time zone (CRON_TZ=<zone>) must be followed by a space and the schedule`},
		{"CRON_TZ alone", "ON SCHEDULE \"CRON_TZ=UTC\" DO\nEND ON\n",
			`t.bas:1:13: bad schedule "CRON_TZ=UTC": a time zone (CRON_TZ=<zone>) must be followed by a space and the schedule`},
		{"request builtin is a check error", "ON SCHEDULE \"@daily\" DO\n  X = GET FORM VALUE \"a\"\nEND ON\n",
			`t.bas:2:7: GET FORM VALUE is for a webhook's request or response; ON SCHEDULE has neither`},
		{"PRINT is a check error", "ON SCHEDULE \"@daily\" DO\n  PRINT \"x\"\nEND ON\n",
			`t.bas:2:3: PRINT is for a webhook's request or response; ON SCHEDULE has neither`},
		{"RETURN with a value", "ON SCHEDULE \"@daily\" DO\n  RETURN 1\nEND ON\n",
			`t.bas:2:3: RETURN with a value outside a FUNCTION`},
		{"variables are checked", "ON SCHEDULE \"@daily\" DO\n  LOG N\nEND ON\n",
			`t.bas:2:7: variable N is never assigned in ON SCHEDULE "@daily"`},
		{"left open", "ON SCHEDULE \"@daily\" DO\n  LOG 1\n",
			`t.bas:1:1: ON SCHEDULE without END ON`},
		{"cron is a literal", "ON SCHEDULE X$ DO\nEND ON\n",
			`t.bas:1:13: ON SCHEDULE takes a string literal, such as "*/5 * * * *"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckSources([]Source{{Name: "t.bas", Text: []byte(tc.src)}}, testTable)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestScheduleProgram(t *testing.T) {
	src := "ON SCHEDULE \"CRON_TZ=UTC 30 9 * * *\" DO\n  LOG 1\nEND ON\n" + on("PRINT 1") + "ON SCHEDULE \"@every 90s\" DO\nEND ON\n"
	p, err := CheckSources([]Source{{Name: "dir/a.bas", Text: []byte(src)}}, testTable)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Schedules) != 2 || len(p.Handlers) != 1 {
		t.Fatalf("schedules %d handlers %d", len(p.Schedules), len(p.Handlers))
	}
	s := p.Schedules[0]
	if s.String() != `SCHEDULE "CRON_TZ=UTC 30 9 * * *" a.bas:1` || s.Key() != "dir/a.bas:1" {
		t.Errorf("String %q Key %q", s.String(), s.Key())
	}
	from := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if got := s.Next(from); !got.Equal(time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("Next = %v", got)
	}
	if got := p.Schedules[1].Next(from); !got.Equal(from.Add(90 * time.Second)) {
		t.Errorf("@every Next = %v", got)
	}
	for _, key := range []string{"dir/a.bas:1", "a.bas:1"} {
		if p.ScheduleByKey(key) != s {
			t.Errorf("ScheduleByKey(%q) did not find the first schedule", key)
		}
	}
	if p.ScheduleByKey("a.bas:2") != nil {
		t.Error("ScheduleByKey found a schedule on a line that has none")
	}
}
