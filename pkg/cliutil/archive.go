package cliutil

import (
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/attnkit/attn/pkg/atomicfile"
)

// WriteArchive writes the n items of a render command's export to path
// whole or not at all, with a progress bar labelled label on stderr and a
// signal stopping it between items. write streams the archive to w,
// calling before(done) ahead of each item (data.WriteNPZ and its kin
// take exactly that hook); noun names the items in the stop message.
func WriteArchive(c *cli.Context, ctx context.Context, path, label, noun string, n int, write func(w io.Writer, before func(done int) error) error) error {
	bar := NewProgress(c.App.ErrWriter, ShowProgress(c), n, label)
	err := atomicfile.Write(path, func(w io.Writer) error {
		return write(w, func(done int) error {
			if done > 0 {
				bar.Add(1)
			}
			return Stopped(ctx, "%d of %d "+noun+" rendered, no archive written", done, n)
		})
	})
	bar.Finish("")
	return err
}
