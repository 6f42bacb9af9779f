package trainrun

import (
	"fmt"
	"strings"
)

// Pick returns the items of all named in only, in the order of only, or
// all of them when only is empty: the variants an ablation runs. name
// gives an item's name; a name no item has is an error listing the names
// there are.
func Pick[T any](all []T, name func(T) string, only []string) ([]T, error) {
	if len(only) == 0 {
		return all, nil
	}
	var keep []T
	for _, want := range only {
		found := false
		for _, v := range all {
			if name(v) == want {
				keep, found = append(keep, v), true
			}
		}
		if !found {
			names := make([]string, len(all))
			for i, v := range all {
				names[i] = name(v)
			}
			return nil, fmt.Errorf("no variant %q (have %s)", want, strings.Join(names, ", "))
		}
	}
	return keep, nil
}
