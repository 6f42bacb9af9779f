package cliutil

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/attnkit/attn/pkg/imageio"
)

// ExpandInputs turns command-line arguments into a list of input paths:
// a file is taken as it is (whatever its extension, so a wrong file gets a
// clear decode error rather than silence); a folder contributes its image
// files (imageio.Extensions), sorted, descending into subfolders only when recursive; "-" reads
// one path per line from stdin (blank lines and lines starting with # are
// skipped; a second "-" adds nothing). A missing path is a usage error:
// nothing has been processed yet.
func ExpandInputs(args []string, recursive bool, stdin io.Reader) ([]string, error) {
	var out []string
	stdinRead := false
	for _, a := range args {
		if a == "-" {
			if stdinRead {
				continue // stdin is spent: a second '-' adds nothing
			}
			if stdin == nil {
				return nil, Usagef("'-' given but no standard input")
			}
			sc := bufio.NewScanner(stdin)
			sc.Buffer(make([]byte, 64*1024), 1<<20)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				out = append(out, line)
			}
			if err := sc.Err(); err != nil {
				return nil, Usagef("reading paths from stdin: %v", err)
			}
			stdinRead = true
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			return nil, Usagef("%s: no such file or folder", a)
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != a && !recursive {
					return filepath.SkipDir
				}
				return nil
			}
			if imageio.IsImageFile(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, Usagef("%s: %v", a, err)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// Shard is a K/N selector: shard K (0-based) of N.
type Shard struct{ K, N int }

// ParseShard parses "K/N" with 0 ≤ K < N; "" means everything (0/1).
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{0, 1}, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return Shard{}, fmt.Errorf("%q is not a shard: want K/N with 0 <= K < N, e.g. 0/4", s)
	}
	return Shard{k, n}, nil
}

// Has reports whether path belongs to this shard. Membership depends only
// on the path string (FNV-1a hash mod N), not on the order or the number of
// inputs, so machines that list the same files differently still split
// them into disjoint shards that cover everything.
func (s Shard) Has(path string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	return int(h.Sum64()%uint64(s.N)) == s.K
}

// Select returns the paths that belong to the shard, in their order.
func (s Shard) Select(paths []string) []string {
	if s.N <= 1 {
		return paths
	}
	var out []string
	for _, p := range paths {
		if s.Has(p) {
			out = append(out, p)
		}
	}
	return out
}

// String formats the shard as K/N.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }
