package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// outboxMailer writes each message as an RFC 5322 .eml file into <DataDir>/outbox/mail/ instead of sending it.
// The file holds exactly what SMTP would have transmitted (same go-mail message builder, same validation).
type outboxMailer struct {
	dir  string
	from string
}

// SendMail validates m, renders it and writes it to a new file in the outbox.
func (o *outboxMailer) SendMail(ctx context.Context, m Mail) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	msg, err := buildMsg(o.from, m)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("delivery: render mail: %w", err)
	}
	name, err := writeOutboxFile(o.dir, ".eml", buf.Bytes())
	if err != nil {
		return "", err
	}
	return "outbox/mail/" + name, nil
}

// outboxWhatsApp writes the Graph API request body it would send, byte for byte, into
// <DataDir>/outbox/whatsapp/ as a .json file.
type outboxWhatsApp struct {
	dir string
}

// SendText validates the message like the Graph client does and writes its request body to the outbox.
func (o *outboxWhatsApp) SendText(ctx context.Context, to, text string) (string, error) {
	return o.write(ctx, func() ([]byte, error) { return textRequestBody(to, text) })
}

// write builds a request body, as the Graph client would send it, into the
// outbox; it gives the file's outbox path.
func (o *outboxWhatsApp) write(ctx context.Context, build func() ([]byte, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	body, err := build()
	if err != nil {
		return "", err
	}
	name, err := writeOutboxFile(o.dir, ".json", body)
	if err != nil {
		return "", err
	}
	return "outbox/whatsapp/" + name, nil
}

// outboxSeq is process-wide so that two outboxes on the same directory never pick the same name.
var outboxSeq atomic.Uint64

// writeOutboxFile writes data to a new uniquely named file in dir and returns the file's base name. The data goes to
// a hidden temp file first and is then linked into place, so a reader never sees half a file, and the link (unlike
// rename) fails rather than overwrite a file another process wrote under the same name.
func writeOutboxFile(dir, ext string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("delivery: outbox: %w", err)
	}
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	stamp := time.Now().UTC().Format("20060102T150405.000000000Z")
	for range 100 {
		name := stamp + "-" + strconv.FormatUint(outboxSeq.Add(1), 10) + ext
		final := filepath.Join(dir, name)
		err := os.Link(tmp, final)
		switch {
		case err == nil:
			return name, nil
		case errors.Is(err, fs.ErrExist):
			continue
		}
		// Some file systems have no hard links; rename is still atomic, and the name is still unique in-process.
		if err := os.Rename(tmp, final); err != nil {
			return "", fmt.Errorf("delivery: outbox: %w", err)
		}
		return name, nil
	}
	return "", fmt.Errorf("delivery: outbox: no free file name in %s", dir)
}

// writeTemp writes data to a hidden temp file in dir, flushed to disk, and returns its path.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("delivery: outbox: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("delivery: outbox: %w", err)
	}
	return f.Name(), nil
}
