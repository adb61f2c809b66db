package targets

import "strings"

// SQLString quotes s as an SQL string literal.
func SQLString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Outcome is what an operator action did: what, or what failed and why.
func Outcome(what string, err error) string {
	if err != nil {
		return what + ": failed: " + err.Error()
	}
	return what
}
