package builtins

import (
	"errors"
	"fmt"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// whatsappDefs: SEND WHATSAPP TO number WITH text.
func whatsappDefs(d Deps) []Def {
	return []Def{{Builtin: stmt(lang.StmtSendWhatsApp, 2, 2), Fn: sendWhatsApp(d.WhatsApp)}}
}

// sendWhatsApp keeps the delivery error in the chain, so that a spawned SUB's
// retry policy can tell a transient Graph error from a permanent one.
func sendWhatsApp(w delivery.WhatsApp) runtime.BuiltinFunc {
	return func(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		if w == nil {
			return nil, errors.New("SEND WHATSAPP: no WhatsApp sender is configured")
		}
		to := args[0].String()
		if to == "" {
			return nil, errors.New("SEND WHATSAPP: empty recipient")
		}
		where, err := w.SendText(th.Context(), to, args[1].String())
		if err != nil {
			return nil, fmt.Errorf("SEND WHATSAPP: %w", err)
		}
		th.Logger().Info("whatsapp sent", "to", to, "where", where, "at", site.P.Short())
		return nil, nil
	}
}
