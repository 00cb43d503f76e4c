package history

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkRecorderWrite is the writer's cost per record (prepare and store,
// in batches), the work the request path hands off.
func BenchmarkRecorderWrite(b *testing.B) {
	store := openStore(b)
	rc := NewRecorder(RecorderConfig{Store: store, MaxCount: 5000})
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Twilio-Signature": {"0123456789abcdefghijklmnopq="},
		"User-Agent": {"TwilioProxy/1.1"}, "Accept": {"*/*"}, "Content-Length": {"120"}}
	body := []byte("CallSid=CA0123456789abcdef0123456789abcdef&From=%2B15551230000&To=%2B15559870000&CallStatus=ringing&Direction=inbound")
	resp := []byte(`<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="https://your-domain.com/twilio/gather" method="POST" numDigits="6"><Say voice="alice" language="pt-BR">Please enter your verification code followed by the pound sign.</Say></Gather></Response>`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += maxBatch {
		recs := make([]*Record, 0, maxBatch)
		for j := 0; j < maxBatch && i+j < b.N; j++ {
			r := record(i + j)
			r.Request.Headers, r.ReqBody = h.Clone(), body
			r.Response, r.RespBody = &Message{Status: 200, Headers: http.Header{"Content-Type": {"text/xml"}}}, resp
			rc.prepare(r)
			recs = append(recs, r)
		}
		if err := store.Write(context.Background(), recs, nil, 5000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteAtTheCap is one batch of 16 written when the history already
// holds its maximum, so every batch prunes as many: the steady state of a
// server under load.
func BenchmarkWriteAtTheCap(b *testing.B) {
	store := openStore(b)
	ctx := context.Background()
	const maxCount = 5000
	for i := 0; i < maxCount; i += 500 {
		recs := make([]*Record, 500)
		for j := range recs {
			recs[j] = record(i + j)
		}
		if err := store.Write(ctx, recs, nil, maxCount); err != nil {
			b.Fatal(err)
		}
	}
	n := maxCount
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		recs := make([]*Record, maxBatch)
		for j := range recs {
			recs[j] = record(n)
			n++
		}
		if err := store.Write(ctx, recs, nil, maxCount); err != nil {
			b.Fatal(err)
		}
	}
}
