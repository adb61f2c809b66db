package workloads

import (
	"strings"
	"testing"

	"faultline.dev/faultline/scenarios"
)

func TestNewValidates(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		w    scenarios.Workload
		want string // substring of the error; "" = valid
	}{
		{"defaults", scenarios.Workload{Kind: "ledger"}, ""},
		{"unknown kind", scenarios.Workload{Kind: "queue"}, "unknown kind"},
		{"negative clients", scenarios.Workload{Kind: "ledger", Clients: -1}, "clients"},
		{"negative rate", scenarios.Workload{Kind: "ledger", Rate: -5}, "rate"},
		{"open loop without rate", scenarios.Workload{Kind: "ledger", OpenLoop: true}, "openLoop"},
		{"negative keys", scenarios.Workload{Kind: "register", Keys: -1}, "keys"},
		{"one account", scenarios.Workload{Kind: "bank", Accounts: 1}, "accounts"},
		{"txn bounds", scenarios.Workload{Kind: "list-append", MinTxnLength: 5, MaxTxnLength: 2}, "transaction length"},
		{"read fraction", scenarios.Workload{Kind: "register", ReadFraction: f(1.5)}, "readFraction"},
		{"ledger reads", scenarios.Workload{Kind: "ledger", ReadFraction: f(0.5)}, "no reads"},
	}
	for _, tc := range tests {
		_, err := New(tc.w, 1)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	w := WithDefaults(scenarios.Workload{Kind: "bank"})
	if w.Clients != 4 || w.Accounts != 5 || w.Total != 500 || *w.ReadFraction != 0.5 || w.Routing != RoutePrimary || w.OpTimeout.D() != DefaultOpTimeout {
		t.Fatalf("defaults: %+v", w)
	}
	if l := WithDefaults(scenarios.Workload{Kind: "ledger"}); *l.ReadFraction != 0 {
		t.Fatalf("ledger read fraction %v", *l.ReadFraction)
	}
}

func TestBankTotal(t *testing.T) {
	if got := BankTotal(scenarios.Workload{Kind: "bank", Accounts: 7}); got != 700 {
		t.Errorf("default total of 7 accounts = %d, want 700", got)
	}
	if got := BankTotal(scenarios.Workload{Kind: "bank", Total: 1003}); got != 1003 {
		t.Errorf("explicit total = %d, want 1003", got)
	}
}
