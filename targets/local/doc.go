// Package local is faultline's embedded target: a real cluster of mariadbd
// processes (Galera 4 or GTID replication) on this machine. Each node runs
// in its own network namespace on a private bridge, with its data directory
// on its own loop-mounted ext4 image and, optionally, its clock under
// libfaketime.
//
// # Names
//
// Everything a lab creates is named after the lab, so Down and Leftovers
// find it without any state:
//
//	bridge (root ns)      fl-<lab>            harness address <subnet>.1/24
//	node namespace        fl-<lab>-n<i>       /run/netns/fl-<lab>-n<i>
//	veth (root ns end)    fl<lab><i>          node end: eth0 in the namespace, <subnet>.(10+i)
//	files                 <StateDir>/labs/<lab>/{lab.json, n<i>/…}
//	node files            my.cnf init.sql error.log console.log mysqld.sock mysqld.pid faketime disk.img
//	data device           n<i>/disk.img on a loop device, ext4 mounted at n<i>/data
//	data directory        n<i>/data/db (a FUSE layer for disk faults would be mounted
//	                      over it from n<i>/data/db at n<i>/fuse and datadir pointed there)
//	cgroups (injectors)   faultline-<lab>-* under /sys/fs/cgroup/<controller>/
//	firewall rule         -i fl-<lab> -o fl-<lab> -m comment --comment "faultline lab <lab>" -j ACCEPT
//	                      in DOCKER-USER (else FORWARD) of each iptables backend with a filter
//	                      table, so bridged lab traffic passes Docker's FORWARD policy DROP
//
// Subnets are /24s of 198.18.0.0/15 only, chosen under a machine-wide flock
// so labs brought up at the same time never collide.
//
// # Fast bring-up
//
// mariadb-install-db runs once per server version and option set (the
// template is cached under <StateDir>/cache) and every node's data directory
// is a copy of it. For Galera, every node also gets the same grastate.dat
// (a fresh history uuid at seqno 0) and a gvwstate.dat describing a primary
// component of all the nodes; with pc.recovery=true they re-form that
// component as soon as all are up: no bootstrap node, no state transfer.
// A 3-node Galera lab is Synced and writable in 2–4 s, a 3-node replication
// lab healthy in under 1 s (warm template). rsync SST stays configured for
// real rejoins; StartNode restarts a Galera node from the position
// `mariadbd --wsrep-recover` reports, so it rejoins by IST.
//
// # Users
//
// init.sql (run locally on every start, never replicated) creates
// 'faultline'@'%' (everything but READ_ONLY ADMIN, so read_only applies to
// the workload), 'root'@'%' for administration and 'repl'@'%' for
// replication, all with the lab's password from lab.json.
//
// With Config.DiskFaults each node's mariadbd uses <node>/db as its data
// directory: a FUSE pass-through mount (package diskfs) of the real one on
// the node's disk, served by a daemon started with the lab (a re-execution
// of the current binary) that delays or fails file operations as
// <node>/diskfault.json says (`{}` = pass through); InnoDB then flushes with
// fsync (no O_DIRECT). Down unmounts the layers and ends their daemons.
//
// Out of scope: cgroup creation (the disk injector owns it; Down removes
// faultline-<lab>*).
package local
