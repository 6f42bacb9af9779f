package trainrun

import (
	"io"
	"math"
	"strings"

	"github.com/attnkit/attn/pkg/cliutil"
)

// EpochReport summarises one epoch.
//
// Its JSON form (the state file's history, the best model's "val"
// metadata) and the per-epoch log line have the keys epoch, lr, loss,
// train_<name> (when the trainer keeps a training metric), val_<name>,
// best_val_<name>, best_epoch and seconds, then samples (JSON only), with
// <name> the metrics' names: a classifier's "error_pct" gives the columns
// train_error_pct, val_error_pct and best_val_error_pct.
type EpochReport struct {
	Epoch     int
	LR        float64 // the rate the epoch ran at
	Loss      float64 // mean training loss over the epoch's samples
	Train     Metric  // the running training metric at the epoch's end; Name "" when there is none
	Val       Metric  // the validation metric after the epoch
	Best      Metric  // the best validation metric so far
	BestEpoch int     // the epoch that reached Best
	Seconds   float64
	Samples   int // training samples seen in the epoch
}

// fields returns the report's keys and values in log order; round keeps
// the log's decimals, samples adds the sample count.
func (r EpochReport) fields(round, samples bool) []cliutil.Field {
	v := func(m Metric) any {
		if round {
			return m.rounded()
		}
		return jsonFloat(m.Value)
	}
	loss, secs := r.Loss, r.Seconds
	if round {
		loss, secs = roundTo(loss, 4), roundTo(secs, 1)
	}
	fs := []cliutil.Field{{Key: "epoch", Value: r.Epoch}, {Key: "lr", Value: r.LR}, {Key: "loss", Value: loss}}
	if r.Train.Name != "" {
		fs = append(fs, cliutil.Field{Key: "train_" + r.Train.Name, Value: v(r.Train)})
	}
	fs = append(fs,
		cliutil.Field{Key: "val_" + r.Val.Name, Value: v(r.Val)},
		cliutil.Field{Key: "best_val_" + r.Best.Name, Value: v(r.Best)},
		cliutil.Field{Key: "best_epoch", Value: r.BestEpoch},
		cliutil.Field{Key: "seconds", Value: secs})
	if samples {
		fs = append(fs, cliutil.Field{Key: "samples", Value: r.Samples})
	}
	return fs
}

// MarshalJSON encodes the report with keys named after its metrics.
func (r EpochReport) MarshalJSON() ([]byte, error) {
	return objectJSON("epoch report", r.fields(false, true))
}

// UnmarshalJSON decodes what MarshalJSON wrote. The metrics' names come
// from the keys; their directions are not stored in a report (State
// restores them from its own metric).
func (r *EpochReport) UnmarshalJSON(data []byte) error {
	o, err := parseObject("epoch report", data)
	if err != nil {
		return err
	}
	*r = EpochReport{}
	get := o.get
	for _, e := range []error{
		get("epoch", &r.Epoch), get("lr", &r.LR), get("loss", &r.Loss),
		get("best_epoch", &r.BestEpoch), get("seconds", &r.Seconds), get("samples", &r.Samples),
	} {
		if e != nil {
			return e
		}
	}
	for k := range o.m {
		var dst *Metric
		var name string
		switch {
		case strings.HasPrefix(k, "best_val_"):
			dst, name = &r.Best, strings.TrimPrefix(k, "best_val_")
		case strings.HasPrefix(k, "val_"):
			dst, name = &r.Val, strings.TrimPrefix(k, "val_")
		case strings.HasPrefix(k, "train_"):
			dst, name = &r.Train, strings.TrimPrefix(k, "train_")
		default:
			continue
		}
		dst.Name = name
		var v *float64
		if err := get(k, &v); err != nil {
			return err
		}
		dst.Value = math.NaN() // null: a NaN figure
		if v != nil {
			dst.Value = *v
		}
	}
	return nil
}

// jsonFloat returns v, or nil (JSON null) for NaN and ±Inf, which JSON
// numbers cannot hold.
func jsonFloat(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// Report says where Fit reports a run's progress. The zero value reports
// nothing.
type Report struct {
	// Lines receives one line per epoch: TSV, or NDJSON when JSON is set
	// (the keys of EpochReport, without samples). nil prints nothing.
	Lines io.Writer
	JSON  bool
	// Bar receives a progress bar over each epoch's batches with the
	// running loss and training metric. The caller passes a terminal (and
	// nil when the user asked for quiet or the output is not one).
	Bar io.Writer
	// Label starts the bar's text (e.g. the name of an ablation variant).
	Label string
	// OnEpoch, if set, is called with every epoch's report after it has
	// been printed.
	OnEpoch func(EpochReport)
}
