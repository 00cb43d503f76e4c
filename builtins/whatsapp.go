package builtins

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// whatsappDefs: SEND WHATSAPP TO number WITH text.
func whatsappDefs(d Deps) []Def {
	return []Def{
		{Builtin: stmt(lang.StmtSendWhatsApp, 2, 2), Fn: sendWhatsApp(d.WhatsApp)},
		{Builtin: stmt(lang.StmtSendWhatsAppTemplate, 3, lang.Variadic), Fn: sendWhatsAppTemplate(d.WhatsApp)},
	}
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
		th.Log(slog.LevelInfo, "whatsapp sent", slog.Any("to", to), slog.Any("where", where), slog.String("at", site.P.Short()))
		return nil, nil
	}
}

// sendWhatsAppTemplate sends an approved template: SEND WHATSAPP TEMPLATE TO
// to WITH name, language[, param...]. Errors keep the delivery error in the
// chain, classified as for SEND WHATSAPP.
func sendWhatsAppTemplate(w delivery.WhatsApp) runtime.BuiltinFunc {
	return func(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		ts, ok := w.(delivery.WhatsAppTemplates)
		if !ok {
			return nil, errors.New(site.Name + ": no WhatsApp sender that can send templates is configured")
		}
		to := args[0].String()
		if to == "" {
			return nil, errors.New(site.Name + ": empty recipient")
		}
		t := delivery.Template{Name: args[1].String(), Language: args[2].String()}
		for _, p := range args[3:] {
			t.Params = append(t.Params, p.String())
		}
		where, err := ts.SendTemplate(th.Context(), to, t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", site.Name, err)
		}
		th.Log(slog.LevelInfo, "whatsapp template sent", slog.Any("to", to), slog.Any("template", t.Name),
			slog.Any("where", where), slog.String("at", site.P.Short()))
		return nil, nil
	}
}
