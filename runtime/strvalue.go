package runtime

import "unsafe"

// A string the runtime builds (a + chain, a run of S = S + ...) becomes a
// Value in one allocation instead of two. Converting a Str to Value
// normally copies its 16-byte header into a box of its own, next to the
// bytes; newStr puts the header first and the bytes right after it in one
// block, and makes the interface point at that header.
//
// Why this is sound:
//   - the block is an ordinary heap object, freed by the GC like any box: a
//     value may outlive its run (a SPAWN argument, a JSON view, history);
//   - the block is a []byte, so the GC never scans it: the only pointer in
//     it, the header's, points into the block itself, which is alive as long
//     as the interface (or a string taken from it) points into it;
//   - header and bytes are written before the Value is handed out and never
//     after, as for any Str;
//   - a heap block of 17 bytes or more is 8-byte aligned (size classes are
//     multiples of 8), as a string header must be; the race detector's
//     pointer checks (checkptr) verify it in the tests.

// strHeader is the size of a string header: the box of a Str.
const strHeader = int(unsafe.Sizeof(""))

// iface is the layout of a non-empty interface value.
type iface struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// newStr gives a Str value of n bytes and those bytes, to be filled by the
// caller before the value is used anywhere.
func newStr(n int) (Value, []byte) {
	if n == 0 {
		return Empty, nil
	}
	block := make([]byte, strHeader+n)
	b := block[strHeader:]
	h := (*string)(unsafe.Pointer(unsafe.SliceData(block)))
	*h = unsafe.String(unsafe.SliceData(b), n)
	v := Value(Empty) // the type word of a Str
	(*iface)(unsafe.Pointer(&v)).data = unsafe.Pointer(h)
	return v, b
}
