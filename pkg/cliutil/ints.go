package cliutil

import (
	"fmt"
	"strconv"
	"strings"
)

// JoinInts formats v as a comma-separated list ("32,64,128"), the form
// ParseInts reads and flag defaults show.
func JoinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// ParseInts reads a comma-separated list of whole numbers; spaces around
// the numbers are allowed.
func ParseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q: want comma-separated whole numbers", s)
		}
		out = append(out, v)
	}
	return out, nil
}
