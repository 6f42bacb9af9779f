package clitest

import (
	"os"
	"os/exec"
	"testing"
)

// ReadOnlyDir returns a new empty folder that no file can be created in,
// restored and removed when the test ends. Mode bits do not stop root
// (CI runs as root), so as root the folder is made immutable with
// chattr +i instead; the test is skipped where neither works (a file
// system without the attribute, or Windows).
func ReadOnlyDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot make a read-only folder as root: chattr +i: %v %s", err, out)
		}
		// Cleanups run last-registered first: this one before TempDir's.
		t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	} else {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Skipf("cannot make a read-only folder: %v", err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("the folder is still writable on this system")
	}
	return dir
}
