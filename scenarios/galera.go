package scenarios

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Galera provider options (spec.target.local.providerOptions): what the
// provider refuses at start is refused here, with the key's position.
// Sources (codership/galera, 26.4.x):
//   - gcomm/src/evs_proto.cpp, Proto::Proto: check_range(key, val, min, max)
//     throws unless min ≤ val < max, and the bounds are
//     suspect_timeout ≥ PT0.1S, inactive_timeout ≥ PT0.1S,
//     inactive_check_period < suspect_timeout/2 + 1ns,
//     keepalive_period in [PT0.1S, suspect_timeout/3 + 1ns),
//     install_timeout in [keepalive_period, inactive_timeout + 1ns) (default
//     inactive_timeout/2), join_retrans_period ≥ PT0.1S, stats_report_period
//     ≥ PT1S, view_forget_timeout ≥ PT1S, user_send_window in
//     [1, send_window + 1); defaults in gcomm/src/defaults.cpp.
//   - gcomm/src/pc_proto.hpp: pc.weight in [0, 255).
//   - gcs/src/gcs_params.cpp: gcs.fc_factor in [0, 1], gcs.recv_q_soft_limit
//     and gcs.max_throttle in [0, 1), gcs.fc_limit ≥ 0.
//   - galerautils/src/gu_config.cpp: an unrecognized key fails the
//     provider's init, so the node aborts; the evs.* and pc.* keys are those
//     of gcomm/src/conf.cpp.
// Relations involving an option left out use Galera's default for it, and
// the message says so.

type galeraKind int

const (
	gPeriod galeraKind = iota
	gBool
	gInt
	gFloat
	gString
)

// galeraParam is one provider option: its type, its own bounds (inclusive,
// in nanoseconds for periods) and Galera's default.
type galeraParam struct {
	kind     galeraKind
	min, max float64
	def      string
}

const unbounded = math.MaxFloat64

func period(min time.Duration, def string) galeraParam {
	return galeraParam{gPeriod, float64(min), unbounded, def}
}
func integer(min, max float64, def string) galeraParam { return galeraParam{gInt, min, max, def} }
func number(min, max float64) galeraParam              { return galeraParam{gFloat, min, max, ""} }

var (
	anyPeriod = period(0, "")
	boolean   = galeraParam{kind: gBool}
	anyString = galeraParam{kind: gString}
)

// galeraParams are the options validation knows; evs.* and pc.* are complete.
var galeraParams = map[string]galeraParam{
	"evs.version":                 integer(0, 1, "1"),
	"evs.view_forget_timeout":     period(time.Second, "P1D"),
	"evs.inactive_timeout":        period(100*time.Millisecond, "PT15S"),
	"evs.suspect_timeout":         period(100*time.Millisecond, "PT5S"),
	"evs.inactive_check_period":   period(0, "PT0.5S"),
	"evs.install_timeout":         period(0, ""),
	"evs.keepalive_period":        period(100*time.Millisecond, "PT1S"),
	"evs.join_retrans_period":     period(100*time.Millisecond, "PT1S"),
	"evs.stats_report_period":     period(time.Second, "PT1M"),
	"evs.debug_log_mask":          integer(math.MinInt64, math.MaxInt64, "0x1"),
	"evs.info_log_mask":           integer(math.MinInt64, math.MaxInt64, "0x0"),
	"evs.send_window":             integer(1, math.MaxInt64, "4"),
	"evs.user_send_window":        integer(1, math.MaxInt64, "2"),
	"evs.use_aggregate":           boolean,
	"evs.causal_keepalive_period": anyPeriod,
	"evs.max_install_timeouts":    integer(0, math.MaxInt32, "3"),
	"evs.delay_margin":            anyPeriod,
	"evs.delayed_keep_period":     anyPeriod,
	"evs.evict":                   anyString,
	"evs.auto_evict":              integer(0, math.MaxInt64, "0"),
	"pc.version":                  integer(0, math.MaxInt32, "0"),
	"pc.ignore_sb":                boolean,
	"pc.ignore_quorum":            boolean,
	"pc.checksum":                 boolean,
	"pc.linger":                   anyPeriod,
	"pc.announce_timeout":         anyPeriod,
	"pc.npvo":                     boolean,
	"pc.bootstrap":                boolean,
	"pc.wait_prim":                boolean,
	"pc.wait_prim_timeout":        anyPeriod,
	"pc.weight":                   integer(0, 254, "1"),
	"pc.recovery":                 boolean,
	"gcs.fc_factor":               number(0, 1),
	"gcs.recv_q_soft_limit":       number(0, 1-1e-9),
	"gcs.max_throttle":            number(0, 1-1e-9),
	"gcs.fc_limit":                integer(0, math.MaxInt64, "16"),
	"gcs.fc_debug":                integer(0, math.MaxInt64, "0"),
	"gcs.max_packet_size":         integer(0, math.MaxInt64, "64500"),
	"gcs.fc_master_slave":         boolean,
	"gcs.fc_single_primary":       boolean,
	"gcs.sync_donor":              boolean,
}

// completeGroups are the groups whose every key is in galeraParams.
var completeGroups = []string{"evs", "pc"}

// galeraGroups are the key prefixes Galera has; the keys without a group.
var (
	galeraGroups   = []string{"allocator", "cert", "evs", "gcache", "gcomm", "gcs", "gmcast", "ist", "pc", "protonet", "repl", "socket"}
	galeraTopLevel = []string{"base_dir", "base_host", "base_port", "debug"}
)

// labProviderOptions are set by the lab itself: each node listens on its
// own lab address and the nodes re-form their saved primary component at
// start (targets/local mycnf.go providerOptions, start.go).
var labProviderOptions = map[string]string{
	"gmcast.listen_addr": "each node listens on its own lab address",
	"ist.recv_addr":      "each node receives IST on its own lab address",
	"base_host":          "the lab addresses nodes itself",
	"base_port":          "the lab's nodes talk on port 4567",
	"pc.recovery":        "the lab starts every node from a saved primary component, which needs pc.recovery=true",
}

// providerOptions validates spec.target.local.providerOptions.
func (v *validator) providerOptions(p string, opts map[string]string) {
	vals := map[string]float64{}
	for _, key := range slices.Sorted(maps.Keys(opts)) {
		kp := join(p, key)
		if x, ok := v.galeraOption(kp, key, opts[key]); ok {
			vals[key] = x
		}
	}
	v.evsRelations(p, opts, vals)
	v.windowRelation(p, opts, vals)
}

// galeraOption checks one key and value, and returns a number-valued option's value.
func (v *validator) galeraOption(kp, key, val string) (float64, bool) {
	group, _, grouped := strings.Cut(key, ".")
	param, known := galeraParams[key]
	switch why, lab := labProviderOptions[key]; {
	case lab:
		v.errorf(kp, "faultline sets %s itself: %s; expected it left out", key, why)
		return 0, false
	case strings.ContainsAny(val, ";\"\n"):
		v.errorf(kp, "value %q holds ';', '\"' or a newline, which would break wsrep_provider_options; expected a plain value", val)
		return 0, false
	case !grouped && !slices.Contains(galeraTopLevel, key) || grouped && !slices.Contains(galeraGroups, group):
		v.errorf(kp, "unknown Galera parameter %q (the provider refuses to start); expected group.name with a group of %s", key, strings.Join(galeraGroups, ", "))
		return 0, false
	case !known && slices.Contains(completeGroups, group):
		v.errorf(kp, "unknown Galera parameter %q (the provider refuses to start); %s", key, suggest(key, groupKeys(group)))
		return 0, false
	case !known:
		return 0, false
	}
	return v.galeraValue(kp, key, val, param)
}

// galeraValue parses val as param's type and checks its own bounds.
func (v *validator) galeraValue(kp, key, val string, param galeraParam) (float64, bool) {
	var x float64
	ok := true
	switch param.kind {
	case gPeriod:
		var d time.Duration
		d, ok = parseGaleraPeriod(val)
		x = float64(d)
	case gInt:
		var i int64
		i, ok = parseGaleraInt(val)
		x = float64(i)
	case gFloat:
		x, ok = parseGaleraFloat(val)
	case gBool:
		ok = parseGaleraBool(val)
	}
	if !ok {
		v.errorf(kp, "%s %q is not %s; expected %s", key, val, kindName(param.kind), kindExample(param.kind))
		return 0, false
	}
	if param.kind == gBool || param.kind == gString {
		return 0, false
	}
	if x < param.min || x > param.max {
		v.errorf(kp, "%s %s is out of Galera's range (the provider refuses to start); expected %s", key, val, rangeString(param))
		return 0, false
	}
	return x, true
}

func kindName(k galeraKind) string {
	return map[galeraKind]string{gPeriod: "a Galera period", gBool: "a Galera boolean", gInt: "an integer", gFloat: "a number"}[k]
}

func kindExample(k galeraKind) string {
	return map[galeraKind]string{gPeriod: "an ISO 8601 duration like PT2S or PT0.5S (or seconds like 2.5)",
		gBool: "true, false, yes, no, on, off, 1 or 0", gInt: "an integer like 4", gFloat: "a number like 0.5"}[k]
}

func rangeString(p galeraParam) string {
	f := func(x float64) string {
		if p.kind == gPeriod {
			return galeraPeriodString(time.Duration(x))
		}
		return fmt.Sprint(x)
	}
	if p.max == unbounded || p.max == math.MaxInt64 || p.max == math.MaxInt32 {
		return "at least " + f(p.min)
	}
	return fmt.Sprintf("%s..%s", f(p.min), f(p.max))
}

func groupKeys(group string) []string {
	var keys []string
	for k := range galeraParams {
		if strings.HasPrefix(k, group+".") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
