package history

// Final is final.json: what every node held after healing and the
// convergence wait, read by the workload's final read.
type Final struct {
	Workload       string      `json:"workload"`  // ledger, bank, list-append, register
	Time           int64       `json:"t"`         // ns since run start when the read began
	Converged      bool        `json:"converged"` // the convergence wait succeeded
	ConvergenceErr string      `json:"convergenceErr,omitempty"`
	Nodes          []FinalNode `json:"nodes"`
}

// FinalNode is one node's final state. Only the field of the run's workload is set.
type FinalNode struct {
	Node      string `json:"node"`
	Reachable bool   `json:"reachable"`
	Err       string `json:"err,omitempty"`
	// GTIDBinlog is gtid_binlog_state: the last GTID of every domain-server
	// pair in the binlog, so a forked history (errant transactions) shows.
	GTIDBinlog  string `json:"gtidBinlog,omitempty"`
	GTIDCurrent string `json:"gtidCurrent,omitempty"`
	// Checksums of the workload tables (CHECKSUM TABLE), by table name.
	Checksums map[string]int64 `json:"checksums,omitempty"`

	// Ledger: every value present in the ledger table.
	Ledger []int64 `json:"ledger,omitempty"`
	// LedgerTS[i] is the ts column of Ledger[i]: the NOW(6) of the node that
	// executed the INSERT, in µs since the epoch.
	LedgerTS []int64 `json:"ledgerTs,omitempty"`
	// Bank: balance by account id.
	Balances map[int64]int64 `json:"balances,omitempty"`
	// List-append: the list stored under each key.
	Lists map[int64][]int64 `json:"lists,omitempty"`
	// Register: the value of each key.
	Registers map[int64]int64 `json:"registers,omitempty"`
	// Rows maps a row key to a digest of its content, for the split-brain
	// "same key, different content" check.
	Rows map[string]string `json:"rows,omitempty"`
}

// Files of a run directory.
const (
	FileScenario = "scenario.yaml"
	FilePlan     = "plan.json"
	FileSeed     = "seed"
	FileHistory  = "history.jsonl"
	FileFinal    = "final.json"
	FileVerdicts = "verdicts.json"
	FileResult   = "result.json"
	FileSummary  = "summary.md"
	FileJUnit    = "junit.xml"
	FileReport   = "report.html"
	DirLogs      = "logs"
)
