package trainrun

import (
	"slices"
	"strings"
	"testing"
)

func TestPick(t *testing.T) {
	all := []string{"base", "dot", "gauss"}
	id := func(s string) string { return s }
	cases := []struct {
		only    []string
		want    []string
		wantErr string
	}{
		{nil, all, ""},
		{[]string{"gauss", "base"}, []string{"gauss", "base"}, ""},
		{[]string{"dot", "cos"}, nil, `no variant "cos" (have base, dot, gauss)`},
	}
	for _, c := range cases {
		got, err := Pick(all, id, c.only)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("Pick(%v): err %v, want %q", c.only, err, c.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Pick(%v) = %v, %v; want %v", c.only, got, err, c.want)
		}
	}
}
