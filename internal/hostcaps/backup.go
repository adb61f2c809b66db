package hostcaps

import "os/exec"

// checkMariaBackup looks for the physical backup tool a restore drill uses.
func checkMariaBackup() Check {
	c := Check{Family: "backup", Name: "mariadb-backup"}
	p, err := exec.LookPath("mariadb-backup")
	if err != nil {
		c.Detail = "mariadb-backup not found (apt-get install mariadb-backup)"
		return c
	}
	c.OK, c.Detail = true, p+" present (spec.backup, restore)"
	return c
}
