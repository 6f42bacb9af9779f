package cliutil

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
)

// Field is one named value of a result line.
type Field struct {
	Key   string
	Value any
}

// Printer writes one result line per input: TSV (values only, tab
// separated, in field order) or NDJSON (one object per line, keys in field
// order). It is safe for concurrent use; each line is written whole.
type Printer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	json bool
}

// NewPrinter returns a printer on w, NDJSON when asJSON.
func NewPrinter(w io.Writer, asJSON bool) *Printer {
	return &Printer{w: bufio.NewWriter(w), json: asJSON}
}

// JSON reports whether the printer writes NDJSON.
func (p *Printer) JSON() bool { return p.json }

// Print writes one line and flushes it, so a consumer down the pipe sees
// each result as soon as it exists.
func (p *Printer) Print(fields ...Field) error {
	var line string
	if p.json {
		line = jsonLine(fields)
	} else {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = tsvValue(f.Value)
		}
		line = strings.Join(parts, "\t")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.w.WriteString(line)
	p.w.WriteByte('\n')
	return p.w.Flush()
}

// jsonLine encodes fields as an object with keys in the given order.
func jsonLine(fields []Field) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(jsonValue(f.Value))
	}
	b.WriteByte('}')
	return b.String()
}

// jsonValue encodes v; NaN and ±Inf, which JSON cannot hold, become null.
func jsonValue(v any) []byte {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return []byte("null")
		}
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return []byte("null")
		}
		// Format through float64 of the shortest float32 repr, so 0.1f
		// prints as 0.1 and not 0.10000000149011612.
		s := strconv.FormatFloat(float64(x), 'g', -1, 32)
		return []byte(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprint(v))
	}
	return b
}

// tsvValue formats a value for a TSV cell; tabs and newlines inside
// strings become spaces so a line always has the same number of cells.
func tsvValue(v any) string {
	var s string
	switch x := v.(type) {
	case float32:
		s = strconv.FormatFloat(float64(x), 'g', 6, 32)
	case float64:
		s = strconv.FormatFloat(x, 'g', 6, 64)
	case string:
		s = x
	case []float32, []float64, []int, [][2]float32, [][]float32:
		b, _ := json.Marshal(x)
		s = string(b)
	default:
		s = fmt.Sprint(x)
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// Round rounds v to d decimals for printing, halves away from zero: an
// error rate over 10,000 images has two meaningful decimals in percent,
// and a printed figure should not carry the noise of float arithmetic.
func Round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}
