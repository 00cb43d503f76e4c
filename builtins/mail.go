package builtins

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
	"github.com/gbhook/gbhook/runtime/delivery"
)

// mailDefs: SEND MAIL TO a WITH SUBJECT s AND BODY b, and SEND MAIL a, s, b.
func mailDefs(d Deps) []Def {
	return []Def{{Builtin: stmt(lang.StmtSendMail, 3, 3), Fn: sendMail(d.Mailer)}}
}

func sendMail(m delivery.Mailer) runtime.BuiltinFunc {
	return func(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		if m == nil {
			return nil, errors.New("SEND MAIL: no mailer is configured")
		}
		msg := delivery.Mail{To: args[0].String(), Subject: args[1].String(), Body: args[2].String()}
		where, err := m.SendMail(th.Context(), msg)
		if err != nil {
			return nil, fmt.Errorf("SEND MAIL: %w", err)
		}
		th.Log(slog.LevelInfo, "mail sent", slog.Any("to", msg.To), slog.Any("where", where), slog.String("at", site.P.Short()))
		return nil, nil
	}
}
