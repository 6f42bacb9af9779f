package cliutil

import (
	"slices"
	"testing"
)

func TestInts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"32,64,128", []int{32, 64, 128}, true},
		{" 1, 2 ,3", []int{1, 2, 3}, true},
		{"7", []int{7}, true},
		{"1,,2", nil, false},
		{"1,x", nil, false},
		{"", nil, false},
	} {
		got, err := ParseInts(tc.in)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("ParseInts(%q) = %v, %v", tc.in, got, err)
		}
		if tc.ok {
			if back, _ := ParseInts(JoinInts(got)); !slices.Equal(back, got) {
				t.Errorf("JoinInts(%v) does not read back", got)
			}
		}
	}
}
