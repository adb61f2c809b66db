package workloads

import (
	"testing"

	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/workloads/internal/testdb"
)

func benchGalera(b *testing.B) []targets.Node {
	srv := testdb.Start(b)
	return []targets.Node{srv.Node}
}
