package builtins

import (
	"errors"
	"fmt"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// llmDefs: LLM prompt gives an OpenAI-compatible endpoint's answer.
func llmDefs(d Deps) []Def {
	return []Def{{Builtin: spec("LLM", 1, 1), Fn: askLLM(d.LLM)}}
}

func askLLM(l delivery.LLM) runtime.BuiltinFunc {
	return func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		if l == nil {
			return nil, errors.New("LLM: no endpoint is configured; set GBHOOK_LLM_URL and GBHOOK_LLM_MODEL")
		}
		answer, err := l.Complete(th.Context(), args[0].String())
		if err != nil {
			return nil, fmt.Errorf("LLM: %w", err)
		}
		// The answer (an HTTP body, up to 1 MiB) is the run's from now on.
		if err := th.Alloc(len(answer)); err != nil {
			return nil, err
		}
		return runtime.Str(answer), nil
	}
}
