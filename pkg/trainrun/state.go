package trainrun

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"

	"github.com/attnkit/attn/pkg/cliutil"
)

// State is what the state file holds besides the weights and the
// optimizer: enough for a resumed run to continue exactly.
//
// Its JSON form keeps the keys of the files written before metrics had
// names: epoch, best_val_<name>, best_epoch, options, schedule, history
// and plateau, plus metric ({"name", "higher_better"}). A file without
// metric is a classifier's, ranked by a lower-is-better "error_pct".
type State struct {
	Epoch int // last finished epoch (1-based); 0 before the first
	// Best is the best validation metric so far, valid when BestEpoch > 0.
	// Its Name and HigherBetter are the run's metric from the first
	// epoch on.
	Best      Metric
	BestEpoch int // the epoch that reached Best; 0 while there is none
	// Options record how the run was started (the model's whole options);
	// a resumed run uses its own.
	Options  any
	Schedule json.RawMessage // the per-epoch schedule's state
	History  []EpochReport
	Plateau  json.RawMessage // the plateau schedule's state
}

// legacyMetric is the metric of state files that do not name theirs.
var legacyMetric = Metric{Name: "error_pct"}

// stateMetric is the stored form of the run's metric.
type stateMetric struct {
	Name         string `json:"name"`
	HigherBetter bool   `json:"higher_better"`
}

// MarshalJSON encodes the state with the best figure under
// best_val_<name>.
func (s State) MarshalJSON() ([]byte, error) {
	fields := []cliutil.Field{{Key: "epoch", Value: s.Epoch}}
	if s.Best.Name != "" && s.BestEpoch > 0 {
		fields = append(fields, cliutil.Field{Key: "best_val_" + s.Best.Name, Value: jsonFloat(s.Best.Value)})
	}
	if s.Best.Name != "" {
		fields = append(fields, cliutil.Field{Key: "metric", Value: stateMetric{s.Best.Name, s.Best.HigherBetter}})
	}
	fields = append(fields, cliutil.Field{Key: "best_epoch", Value: s.BestEpoch}, cliutil.Field{Key: "options", Value: s.Options})
	if len(s.Schedule) > 0 {
		fields = append(fields, cliutil.Field{Key: "schedule", Value: s.Schedule})
	}
	fields = append(fields, cliutil.Field{Key: "history", Value: s.History})
	if len(s.Plateau) > 0 {
		fields = append(fields, cliutil.Field{Key: "plateau", Value: s.Plateau})
	}
	return objectJSON("train state", fields)
}

// UnmarshalJSON decodes what MarshalJSON wrote, and the state of files
// written before the metric was named.
func (s *State) UnmarshalJSON(data []byte) error {
	o, err := parseObject("train state", data)
	if err != nil {
		return err
	}
	*s = State{}
	get := o.get
	sm := stateMetric{Name: legacyMetric.Name, HigherBetter: legacyMetric.HigherBetter}
	var opts json.RawMessage
	for _, e := range []error{
		get("epoch", &s.Epoch), get("best_epoch", &s.BestEpoch), get("metric", &sm),
		get("options", &opts), get("history", &s.History),
	} {
		if e != nil {
			return e
		}
	}
	if len(opts) > 0 {
		s.Options = opts
	}
	s.Best = Metric{Name: sm.Name, HigherBetter: sm.HigherBetter}
	if err := get("best_val_"+sm.Name, &s.Best.Value); err != nil {
		return err
	}
	if raw, ok := o.m["schedule"]; ok && string(raw) != "null" {
		s.Schedule = scheduleJSON(raw)
	}
	if raw, ok := o.m["plateau"]; ok && string(raw) != "null" {
		s.Plateau = raw
	}
	// A report does not store directions: the run's metric has them. The
	// training metric keeps its own name but takes the direction of the
	// validation metric when they are the same figure.
	for i := range s.History {
		h := &s.History[i]
		h.Val.HigherBetter, h.Best.HigherBetter = sm.HigherBetter, sm.HigherBetter
		if h.Train.Name == sm.Name {
			h.Train.HigherBetter = sm.HigherBetter
		}
	}
	return nil
}

// scheduleJSON accepts the schedule as inline JSON and, for state files
// that stored it as raw bytes, as the base64 string a []byte field
// marshals to.
func scheduleJSON(raw json.RawMessage) json.RawMessage {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return b
		}
	}
	return raw
}

// StatePath returns the state file beside a run's best-model path.
func StatePath(out string) string {
	return strings.TrimSuffix(out, ".safetensors") + ".state.safetensors"
}

// Resuming reports whether Fit will continue a run: o.Resume is set and
// the state file beside o.Out exists. A model's Train asks before Fit
// runs, to skip what a fresh run alone does (initial weights, pretraining).
func (o Options) Resuming() bool {
	if !o.Resume {
		return false
	}
	_, err := os.Stat(StatePath(o.Out))
	return err == nil
}
