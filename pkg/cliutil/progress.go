package cliutil

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress is a progress bar on stderr that stays silent when stderr is not
// a terminal or the user asked for --quiet, so logs and pipelines never see
// carriage returns.
type Progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	start time.Time
	total int
	done  int
	desc  string
}

// StderrIsTerminal reports whether stderr is attached to a terminal.
func StderrIsTerminal() bool { return term.IsTerminal(int(os.Stderr.Fd())) }

// NewProgress returns a bar over total steps writing to w when visible.
// A nil w or visible == false gives a silent bar whose methods do nothing.
func NewProgress(w io.Writer, visible bool, total int, desc string) *Progress {
	p := &Progress{w: w, start: time.Now(), total: total, desc: desc}
	if !visible || w == nil {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionClearOnFinish(),
		// Show 0/total at once and count the rate from now: a batch of
		// photographs that take seconds each would otherwise show nothing
		// until the first is done, and then a rate of thousands a second.
		progressbar.OptionSetRenderBlankState(true),
	)
	return p
}

// Add advances the bar by n steps.
func (p *Progress) Add(n int) {
	p.done += n
	if p.bar != nil {
		p.bar.Add(n)
	}
}

// Describe replaces the text in front of the bar (e.g. "loss 0.31 acc 97%").
func (p *Progress) Describe(s string) {
	if p.bar != nil {
		p.bar.Describe(s)
	}
}

// Finish clears the bar and, when visible, prints a one-line summary with
// the count of steps done (all of them, unless a signal stopped the
// loop), the elapsed time and the rate.
func (p *Progress) Finish(summary string) {
	if p.bar == nil {
		return
	}
	p.bar.Finish()
	el := time.Since(p.start)
	rate := float64(p.done) / el.Seconds()
	fmt.Fprintf(p.w, "%s: %d in %s (%.1f/s)%s\n", p.desc, p.done, el.Round(time.Millisecond), rate, summary)
}

// Clear removes the bar without a summary, for a loop abandoned halfway.
func (p *Progress) Clear() {
	if p.bar != nil {
		p.bar.Clear()
	}
}
