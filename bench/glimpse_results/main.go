// Command glimpse_results prints the epoch at which an embedded glimpse
// model was saved (its best validation epoch) and its validation error, as
// recorded in the file's metadata by 'glimpse train'.
package main

import (
	"fmt"
	"os"

	rammodels "github.com/attnkit/attn/models/ram"
	"github.com/attnkit/attn/pkg/ckpt"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: glimpse_results TASK")
		os.Exit(2)
	}
	b, ok := rammodels.Bytes(os.Args[1])
	if !ok {
		fmt.Fprintln(os.Stderr, "no embedded model for", os.Args[1])
		os.Exit(3)
	}
	f, err := ckpt.ReadBytes(b, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	var val struct {
		Epoch  int     `json:"epoch"`
		ValErr float64 `json:"val_error_pct"`
	}
	if err := ckpt.GetJSON(f.Metadata, "val", &val); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	fmt.Printf("%d (val %.2f%%)\n", val.Epoch, val.ValErr)
}
