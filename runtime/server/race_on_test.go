//go:build race

package server

// raceEnabled: under the race detector sync.Pool drops a quarter of what
// it is given, so a pooled object is sometimes made anew.
const raceEnabled = true
