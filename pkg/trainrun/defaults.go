package trainrun

// Defaults are a model's default loop settings: WithDefaults takes each
// zero field of a run's Options from them. A setting that depends on the
// chosen optimizer (the learning rate, say) or schedule (the decay
// factor) goes in ByOptimizer or BySchedule, whose non-zero fields win
// over the embedded Options.
type Defaults struct {
	Options
	ByOptimizer map[string]Options // defaults for one optimizer, by name
	BySchedule  map[string]Options // defaults for one schedule, by name
}

// WithDefaults returns o with every zero setting taken from d: first the
// optimizer and the schedule, then the other settings from d's entry for
// that optimizer, d's entry for that schedule and d's Options, in that
// order. A negative WeightDecay or ClipNorm means none and becomes 0
// (a zero one cannot say so: it takes the default), and Threads below 1
// takes d's (at least 1). Seed, Out, Resume and Record are left as they
// are.
func (o Options) WithDefaults(d Defaults) Options {
	if o.Optimizer == "" {
		o.Optimizer = d.Optimizer
	}
	if o.Schedule == "" {
		o.Schedule = d.Schedule
	}
	if o.Threads < 1 {
		o.Threads = max(d.Threads, 1)
	}
	o = o.fill(d.ByOptimizer[o.Optimizer]).fill(d.BySchedule[o.Schedule]).fill(d.Options)
	o.WeightDecay = max(o.WeightDecay, 0)
	o.ClipNorm = max(o.ClipNorm, 0)
	return o
}

// fill sets the zero numeric settings of o from d.
func (o Options) fill(d Options) Options {
	set := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	setInt := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	setInt(&o.Epochs, d.Epochs)
	setInt(&o.Batch, d.Batch)
	set(&o.LR, d.LR)
	set(&o.Momentum, d.Momentum)
	set(&o.WeightDecay, d.WeightDecay)
	setInt(&o.StepSize, d.StepSize)
	set(&o.Gamma, d.Gamma)
	setInt(&o.Warmup, d.Warmup)
	setInt(&o.Patience, d.Patience)
	set(&o.ClipNorm, d.ClipNorm)
	return o
}
