package local

import (
	"strings"
	"testing"
)

func testSpec(cfg Config) nodeSpec {
	cfg.Name = "demo"
	cfg.Nodes = 3
	cfg = cfg.withDefaults()
	return nodeSpec{Index: 1, Name: "n2", Addr: "198.18.0.12", Peers: []string{"198.18.0.11", "198.18.0.12", "198.18.0.13"},
		cfg: cfg, n: names{lab: "demo", stateDir: "/var/lib/faultline"}}
}

func TestGaleraOptions(t *testing.T) {
	s := testSpec(Config{Topology: Galera,
		ServerOptions:   map[string]string{"innodb-buffer-pool-size": "64M"},
		NodeOptions:     map[string]map[string]string{"n2": {"max_connections": "10"}},
		ProviderOptions: map[string]string{"evs.suspect_timeout": "PT2S", "gcache.size": "8M"}})
	cnf := renderCnf(s.options())
	for _, want := range []string{
		"bind-address=198.18.0.12\n",
		"wsrep_cluster_address=gcomm://198.18.0.11,198.18.0.12,198.18.0.13\n",
		"wsrep_sst_method=rsync\n",
		"wsrep_sst_receive_address=198.18.0.12:4444\n",
		"innodb-buffer-pool-size=64M\n",
		"max_connections=10\n",
		"datadir=/var/lib/faultline/labs/demo/n2/data/db\n",
		`wsrep_provider_options="evs.suspect_timeout=PT2S;gcache.size=8M;` +
			`gmcast.listen_addr=tcp://198.18.0.12:4567;ist.recv_addr=198.18.0.12:4568;pc.recovery=true"`,
		"skip-name-resolve\n",
	} {
		if !strings.Contains(cnf, want) {
			t.Errorf("my.cnf lacks %q:\n%s", want, cnf)
		}
	}
	for _, unwanted := range []string{"innodb_buffer_pool_size=32M", "max_connections=64", "log_bin", "read_only"} {
		if strings.Contains(cnf, unwanted) {
			t.Errorf("my.cnf has %q:\n%s", unwanted, cnf)
		}
	}
}

func TestReplicationOptions(t *testing.T) {
	cnf := renderCnf(testSpec(Config{Topology: Replication, SemiSync: true}).options())
	for _, want := range []string{
		"log_bin=mysql-bin\n", "gtid_strict_mode=ON\n", "log_slave_updates=ON\n", "read_only=ON\n",
		"rpl_semi_sync_master_enabled=ON\n", "rpl_semi_sync_slave_enabled=ON\n",
		"rpl_semi_sync_master_wait_point=AFTER_SYNC\n", "rpl_semi_sync_master_timeout=10000\n",
		"slave_net_timeout=4\n", "server_id=2\n",
	} {
		if !strings.Contains(cnf, want) {
			t.Errorf("my.cnf lacks %q:\n%s", want, cnf)
		}
	}
	if strings.Contains(cnf, "wsrep") {
		t.Errorf("replication my.cnf mentions wsrep:\n%s", cnf)
	}
}

func TestInitSQL(t *testing.T) {
	sql := initSQL(Galera, `p'w\`)
	for _, want := range []string{"SET SESSION wsrep_on=OFF;", "SET SESSION sql_log_bin=0;", `IDENTIFIED BY 'p\'w\\';`, "REVOKE READ_ONLY ADMIN"} {
		if !strings.Contains(sql, want) {
			t.Errorf("init.sql lacks %q:\n%s", want, sql)
		}
	}
	if strings.Contains(initSQL(Replication, "x"), "wsrep") {
		t.Error("replication init.sql mentions wsrep")
	}
}

func TestGaleraState(t *testing.T) {
	g := grastate("u-1", 0, false)
	if !strings.Contains(g, "uuid:    u-1\nseqno:   0\nsafe_to_bootstrap: 0\n") {
		t.Errorf("grastate:\n%s", g)
	}
	v := gvwstate("b", []string{"a", "b", "c"})
	want := "my_uuid: b\n#vwbeg\nview_id: 3 a 1\nbootstrap: 0\nmember: a 0\nmember: b 0\nmember: c 0\n#vwend\n"
	if v != want {
		t.Errorf("gvwstate:\n%s\nwant:\n%s", v, want)
	}
	if u := newUUID(); len(u) != 36 || u[14] != '4' || strings.Count(u, "-") != 4 {
		t.Errorf("newUUID() = %s", u)
	}
}
