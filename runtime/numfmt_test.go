package runtime

import (
	"math"
	"strconv"
	"testing"
)

// Expected texts are what JavaScript's String(x) gives (checked with node).
func TestFormatNumber(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant 0.1+0.2 would fold to exactly 0.3
	cases := []struct {
		in   float64
		want string
	}{
		{200, "200"},
		{3.5, "3.5"},
		{0.5, "0.5"},
		{1000000, "1000000"},
		{tenth + fifth, "0.30000000000000004"},
		{1e21, "1e+21"},
		{-7, "-7"},
		{1e-7, "1e-7"},
		{0.000001, "0.000001"},
		{123456789012345680000, "123456789012345680000"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
		{5e-324, "5e-324"},
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
		{1, "1"},
		{-0.5, "-0.5"},
		{1e20, "100000000000000000000"},
		{1.5e21, "1.5e+21"},
		{1.5e-7, "1.5e-7"},
		{-1.5e-7, "-1.5e-7"},
		{9.99e-7, "9.99e-7"},
		{0.0000015, "0.0000015"},
		{123.456, "123.456"},
		{1e100, "1e+100"},
		{2.5e-100, "2.5e-100"},
		{0.1, "0.1"},
		{100, "100"},
		{12345.6789, "12345.6789"},
		{9007199254740992, "9007199254740992"},
		{9007199254740993, "9007199254740992"},
		{4.35, "4.35"},
		{1.0 / 3, "0.3333333333333333"},
		{2.0 / 3, "0.6666666666666666"},
		{-1e21, "-1e+21"},
		{999999999999999900000, "999999999999999900000"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
	}
	for _, c := range cases {
		if got := FormatNumber(c.in); got != c.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"200", 200, true},
		{"  3.5 ", 3.5, true},
		{"-7", -7, true},
		{"+7", 7, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"1e3", 1000, true},
		{"1E-2", 0.01, true},
		{"5.e3", 5000, true},
		{"1e400", math.Inf(1), true},
		{"-1e400", math.Inf(-1), true},
		{"1e-400", 0, true},
		{"\t42\n", 42, true},
		{"", 0, false},
		{"   ", 0, false},
		{"abc", 0, false},
		{"12abc", 0, false},
		{"1e", 0, false},
		{"1e+", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"+.", 0, false},
		{"0x10", 0, false},
		{"Inf", 0, false},
		{"Infinity", 0, false},
		{"NaN", 0, false},
		{"1_000", 0, false},
		{"1 2", 0, false},
		{"--1", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseNumber(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestLeadingNumber(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12abc", 12, true},
		{"  -3.5e2x", -350, true},
		{"1e", 1, true},
		{"1e+x", 1, true},
		{"2.5.3", 2.5, true},
		{".5kg", 0.5, true},
		{"abc", 0, false},
		{"", 0, false},
		{"- 1", 0, false},
		{"0x10", 0, true},
	}
	for _, c := range cases {
		got, ok := LeadingNumber(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("LeadingNumber(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// FuzzFormatNumber checks that every finite number's text reads back as the
// same number, through strconv and through ParseNumber.
func FuzzFormatNumber(f *testing.F) {
	for _, x := range []float64{0, 200, 3.5, 0.1 + 0.2, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, -7} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		s := FormatNumber(x)
		if math.IsNaN(x) {
			if s != "NaN" {
				t.Fatalf("FormatNumber(NaN) = %q", s)
			}
			return
		}
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != x {
			t.Fatalf("FormatNumber(%v) = %q, reads back as %v (%v)", x, s, back, err)
		}
		if math.IsInf(x, 0) {
			return
		}
		if p, ok := ParseNumber(s); !ok || p != x {
			t.Fatalf("ParseNumber(FormatNumber(%v) = %q) = %v, %v", x, s, p, ok)
		}
	})
}
