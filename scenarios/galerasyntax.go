package scenarios

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The value syntax of Galera's wsrep_provider_options, as the provider
// parses it (galerautils: gu_datetime.cpp Period::parse, gu_utils.c
// gu_str2bool, gu_config.cpp numbers with K/M/G/T suffixes). A value the
// provider cannot parse makes it refuse to start, so validation parses it
// the same way.

// galeraISO is Galera's ISO 8601 duration: P[nY][nM][nD][T][nH][nM][n.nS].
var galeraISO = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$`)

// galeraSeconds is the other form Galera accepts: seconds with up to nine decimals.
var galeraSeconds = regexp.MustCompile(`^\d*\.?\d{0,9}$`)

// Galera's calendar: a month is 30 days, a year 12 months.
var galeraUnits = []time.Duration{12 * 30 * 24 * time.Hour, 30 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute}

// parseGaleraPeriod parses a Galera period such as PT2S, PT0.5S, P1D or 2.5.
func parseGaleraPeriod(s string) (time.Duration, bool) {
	m := galeraISO.FindStringSubmatch(s)
	if m == nil {
		if s == "" || !galeraSeconds.MatchString(s) {
			return 0, false
		}
		return parseSeconds(s)
	}
	var d time.Duration
	for i, unit := range galeraUnits {
		if m[i+1] != "" {
			n, err := strconv.ParseInt(m[i+1], 10, 64)
			if err != nil || n > math.MaxInt64/int64(unit) {
				return 0, false
			}
			d += time.Duration(n) * unit
		}
	}
	if m[6] != "" {
		sec, ok := parseSeconds(m[6])
		if !ok {
			return 0, false
		}
		d += sec
	}
	return d, d >= 0
}

func parseSeconds(s string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f > math.MaxInt64/1e9 {
		return 0, false
	}
	return time.Duration(math.Round(f * 1e9)), true
}

// parseGaleraBool accepts what gu_str2bool does.
func parseGaleraBool(s string) bool {
	switch strings.ToLower(s) {
	case "0", "n", "1", "y", "on", "no", "off", "yes", "yep", "true", "sure", "none", "nope", "yeah", "false":
		return true
	}
	return false
}

// parseGaleraInt parses an integer the way gu::Config does: decimal, 0x hex
// or 0 octal, with an optional K, M, G or T (binary) suffix.
func parseGaleraInt(s string) (int64, bool) {
	mult := int64(1)
	if n := len(s); n > 0 {
		if i := strings.IndexByte("KMGT", s[n-1]&^0x20); i >= 0 {
			mult, s = 1<<(10*(i+1)), s[:n-1]
		}
	}
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil || v > math.MaxInt64/mult || v < math.MinInt64/mult {
		return 0, false
	}
	return v * mult, true
}

// parseGaleraFloat parses a real number.
func parseGaleraFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f)
}

// galeraPeriodString writes d as Galera prints a period (PT0.5S).
func galeraPeriodString(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
}
