package cliutil

import (
	"bytes"
	"strings"
	"testing"
)

// TestProgressShowsAtStart: a visible bar is drawn at 0/total before the
// first step, so that slow inputs do not leave the terminal blank; the
// summary replaces it at the end; an invisible bar writes nothing.
func TestProgressShowsAtStart(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, true, 3, "denoise")
	if !strings.Contains(buf.String(), "(0/3") {
		t.Fatalf("before the first step the bar shows %q, want 0/3", buf.String())
	}
	p.Add(3)
	p.Finish("")
	if !strings.Contains(buf.String(), "denoise: 3 in ") {
		t.Errorf("no summary line in %q", buf.String())
	}
	buf.Reset()
	q := NewProgress(&buf, false, 3, "denoise")
	q.Add(3)
	q.Finish("")
	if buf.Len() != 0 {
		t.Errorf("an invisible bar wrote %q", buf.String())
	}
}
