// Package bench measures gbhook against a hand-written Go server doing the
// same work (bench/native). Its Go benchmarks run with
// `go test -run '^$' -bench . -benchmem ./bench/`; bench/run drives both
// servers over loopback with wrk. The package's tests are quick: they check
// that both servers answer alike and write the same outbox files.
package bench
