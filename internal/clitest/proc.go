package clitest

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Patience bounds every wait for a background process: generous, since
// a loaded machine may be slow, yet a hung process still fails the test.
const Patience = 2 * time.Minute

// Proc is a binary running in the background, for tests that watch its
// output as it comes and send it signals.
type Proc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	mu     sync.Mutex
	lines  []string      // stdout so far
	more   chan struct{} // a line arrived (capacity 1: a wake-up, not a count)
	eof    chan struct{} // closed when stdout ends
}

// Start runs bin with args in the background, as c describes.
func (c Cmd) Start(t testing.TB, bin string, args ...string) *Proc {
	t.Helper()
	p := &Proc{more: make(chan struct{}, 1), eof: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = c.Dir
	p.cmd.Stdin = strings.NewReader(c.Stdin)
	p.cmd.Env = append(os.Environ(), c.Env...)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s %v: %v", bin, args, err)
	}
	go func() {
		defer close(p.eof)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// Start runs bin with args in the background.
func Start(t testing.TB, bin string, args ...string) *Proc {
	t.Helper()
	return Cmd{}.Start(t, bin, args...)
}

// PID returns the process's ID.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// WaitLines waits until stdout has n lines and returns them; it fails the
// test when the output ends first or Patience runs out.
func (p *Proc) WaitLines(t testing.TB, n int) []string {
	t.Helper()
	timeout := time.After(Patience)
	for {
		p.mu.Lock()
		got := append([]string(nil), p.lines...)
		p.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-p.more:
		case <-p.eof:
			p.mu.Lock()
			got = p.lines
			p.mu.Unlock()
			if len(got) < n {
				t.Fatalf("stdout ended after %d lines, want %d: %s", len(got), n, p.Wait(t))
			}
		case <-timeout:
			t.Fatalf("no %d lines on stdout after %v (have %q)", n, Patience, got)
		}
	}
}

// Signal sends sig to the process.
func (p *Proc) Signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// Wait waits for the process to exit and returns what it printed.
func (p *Proc) Wait(t testing.TB) Result {
	t.Helper()
	select {
	case <-p.eof:
	case <-time.After(Patience):
		p.cmd.Process.Kill()
		p.cmd.Wait()
		t.Fatalf("the process did not exit within %v; stderr:\n%s", Patience, p.stderr.String())
	}
	err := p.cmd.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	r := Result{Stderr: p.stderr.String()}
	if len(p.lines) > 0 {
		r.Stdout = strings.Join(p.lines, "\n") + "\n"
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		t.Fatalf("wait: %v", err)
	}
	return r
}
