package faketime

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// shmDir is where glibc keeps POSIX semaphores and shared memory objects.
const shmDir = "/dev/shm"

// SharedFiles are the two objects libfaketime creates in dir for the
// process pid, before main, and hands to every process it starts
// (FAKETIME_SHARED): a semaphore and the shared memory it guards.
func SharedFiles(dir string, pid int) (sem, shm string) {
	return filepath.Join(dir, "sem.faketime_sem_"+strconv.Itoa(pid)),
		filepath.Join(dir, "faketime_shm_"+strconv.Itoa(pid))
}

// RemoveShared removes the objects libfaketime created for pid once no
// process maps them any more. A process that exits cleanly removes its
// own; a killed one leaves them behind for good, and a later process
// given the same pid cannot create its own (libfaketime opens them
// O_EXCL). It reports whether they were removed; objects still mapped
// (children of pid still running) are left alone.
func RemoveShared(pid int) (bool, error) {
	return removeShared(shmDir, "/proc", pid)
}

func removeShared(dir, proc string, pid int) (bool, error) {
	sem, shm := SharedFiles(dir, pid)
	if _, err := os.Stat(shm); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(sem); errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
	}
	if mapped(proc, shm) {
		return false, nil
	}
	var errs []error
	for _, f := range []string{sem, shm} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return false, fmt.Errorf("libfaketime's shared state of %d: %w", pid, err)
	}
	return true, nil
}

// mapped reports whether any process under proc maps file.
func mapped(proc, file string) bool {
	dirs, _ := os.ReadDir(proc)
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		f, err := os.Open(filepath.Join(proc, d.Name(), "maps"))
		if err != nil {
			continue // gone, or not ours to read
		}
		sc := bufio.NewScanner(f)
		found := false
		for sc.Scan() {
			line := strings.TrimSuffix(sc.Text(), " (deleted)")
			if strings.HasSuffix(line, " "+file) {
				found = true
				break
			}
		}
		f.Close()
		if found {
			return true
		}
	}
	return false
}
