package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"sohoa"
)

// journal is an append-only file on the local disk that keeps the entries
// whose batch the store did not take (it was away), fsynced before their
// requests are answered, until a seal puts them in the store. Processes
// sharing it (the service, `sohoa unit add`) take an flock(2) on it.
type journal struct{ path string }

func (j journal) lock(flag int) (*os.File, error) {
	f, err := os.OpenFile(j.path, flag|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil // closing releases the lock
}

// append writes entries at the end and fsyncs.
func (j journal) append(entries []*sohoa.AuditEntry) error {
	f, err := j.lock(os.O_WRONLY | os.O_APPEND)
	if err != nil {
		return fmt.Errorf("audit journal: %w", err)
	}
	defer f.Close()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range entries {
		enc.Encode(e)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		return fmt.Errorf("audit journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit journal: %w", err)
	}
	return nil
}

// read returns the entries in the journal ("" path or no file: none).
func (j journal) read() ([]*sohoa.AuditEntry, []string, error) {
	if j.path == "" {
		return nil, nil, nil
	}
	b, err := os.ReadFile(j.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit journal: %w", err)
	}
	return parseEntries(b, j.path)
}

// drop removes the entries up to seq last, which a segment now holds.
func (j journal) drop(last int64) error {
	if j.path == "" {
		return nil
	}
	if _, err := os.Stat(j.path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	f, err := j.lock(os.O_RDWR)
	if err != nil {
		return fmt.Errorf("audit journal: %w", err)
	}
	defer f.Close()
	var keep bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e sohoa.AuditEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Seq <= last {
			continue
		}
		keep.Write(sc.Bytes())
		keep.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("audit journal: %w", err)
	}
	if keep.Len() == 0 {
		return os.Remove(j.path)
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(keep.Bytes(), 0); err != nil {
		return err
	}
	return f.Sync()
}

// parseEntries reads JSONL entries; lines that are not entries are problems.
func parseEntries(b []byte, where string) ([]*sohoa.AuditEntry, []string, error) {
	var out []*sohoa.AuditEntry
	var problems []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e sohoa.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			problems = append(problems, fmt.Sprintf("%s holds a line that is not an entry", where))
			continue
		}
		out = append(out, &e)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", where, err)
	}
	return out, problems, nil
}
