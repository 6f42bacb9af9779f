package cliutil

import (
	"bytes"
	"math"
	"testing"

	"github.com/attnkit/attn/pkg/domain"
	"github.com/urfave/cli/v2"
)

// A batch scores each input, and warns once, at the end, about those far
// outside the training data; without a reference every score is null.
func TestDomainCheck(t *testing.T) {
	ref := domain.Reference{Data: "grey squares", Channels: 1, Width: 2, Mean: domain.Range{Lo: 0.4, Hi: 0.6, Std: 0.1}}
	var fields []Field
	var stderr bytes.Buffer
	app := NewApp("t", "", "", []*cli.Command{{Name: "x", Flags: OutputFlags(), Action: func(c *cli.Context) error {
		d := NewDomainCheck(ref, true)
		for _, v := range []float32{0.5, 0.7, 0.95, 1} {
			fields = append(fields, d.Field([]float32{v, v}))
		}
		d.Warn(c)
		none := NewDomainCheck(domain.Reference{}, false)
		fields = append(fields, none.Field([]float32{1, 1}))
		none.Warn(c)
		return nil
	}}})
	app.ErrWriter = &stderr
	if code := Run(app, []string{"t", "x"}, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := []any{1.0, Round(math.Exp(-0.5), 4), Round(math.Exp(-3.5*3.5/2), 4), Round(math.Exp(-8), 4), nil}
	for i, f := range fields {
		if f.Key != "in_domain" || (f.Value == nil) != (want[i] == nil) || (f.Value != nil && f.Value.(float64) != want[i].(float64)) {
			t.Errorf("input %d: %v, want %v", i, f, want[i])
		}
	}
	if got := stderr.String(); got != "t: warning: 2 inputs look unlike the training data (in_domain < 0.01; the model was trained on grey squares)\n" {
		t.Errorf("stderr %q", got)
	}
}
