// Package audit owns the audit log: every read and change of a record, who
// made it, from which unit, when, why and from where. Entries are
// hash-chained in the catalog as they are written, and sealed into the
// object store in segments so that the log outlives the catalog:
//
//	audit/segments/<first seq>-<last seq>.jsonl   one entry (sohoa.AuditEntry) a line
//
// Check finds an entry removed, reordered or edited, in the catalog or in a
// sealed segment; Restore brings the sealed log back into a new catalog.
package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"sohoa"
	"sohoa/catalog"
	"sohoa/store"
)

// Log is the audit log.
type Log struct {
	cat   *catalog.DB
	store store.Store
	log   *slog.Logger
}

// New returns the log kept in cat and sealed into s.
func New(cat *catalog.DB, s store.Store, log *slog.Logger) *Log {
	return &Log{cat: cat, store: s, log: log}
}

const (
	segmentsPrefix = "audit/segments/"
	sealedKey      = "audit_sealed_seq"
)

// Record appends an entry. A read that cannot be recorded must not be
// served: callers fail when this does.
func (l *Log) Record(ctx context.Context, e *sohoa.AuditEntry) error {
	return l.cat.Append(context.WithoutCancel(ctx), e)
}

// Seal writes the entries not yet sealed into one new segment.
func (l *Log) Seal(ctx context.Context) (int, error) {
	v, err := l.cat.Meta(ctx, sealedKey)
	if err != nil {
		return 0, err
	}
	after, _ := strconv.ParseInt(v, 10, 64)
	entries, err := l.cat.Audit(ctx, catalog.AuditFilter{AfterSeq: after, Limit: 100000})
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range entries {
		enc.Encode(e)
	}
	first, last := entries[0].Seq, entries[len(entries)-1].Seq
	key := fmt.Sprintf("%s%012d-%012d.jsonl", segmentsPrefix, first, last)
	if err := l.store.Put(ctx, key, bytes.NewReader(b.Bytes()), int64(b.Len())); err != nil {
		return 0, fmt.Errorf("seal audit %d-%d: %w", first, last, err)
	}
	if err := l.cat.SetMeta(ctx, sealedKey, strconv.FormatInt(last, 10)); err != nil {
		return 0, err
	}
	return len(entries), nil
}

// Run seals every interval until ctx is done, then once more.
func (l *Log) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if _, err := l.Seal(context.WithoutCancel(ctx)); err != nil {
				l.log.Error("seal audit log", "err", err)
			}
			return
		case <-t.C:
			if _, err := l.Seal(ctx); err != nil {
				l.log.Error("seal audit log", "err", err)
			}
		}
	}
}

// sealed reads every sealed segment, in order.
func (l *Log) sealed(ctx context.Context) ([]*sohoa.AuditEntry, []string, error) {
	var keys []string
	if err := l.store.List(ctx, segmentsPrefix, func(k string) error { keys = append(keys, k); return nil }); err != nil {
		return nil, nil, err
	}
	sort.Strings(keys)
	var out []*sohoa.AuditEntry
	var problems []string
	for _, k := range keys {
		rc, err := l.store.Get(ctx, k)
		if err != nil {
			return nil, nil, err
		}
		sc := bufio.NewScanner(rc)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var e sohoa.AuditEntry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				problems = append(problems, fmt.Sprintf("segment %s holds a line that is not an entry", k))
				continue
			}
			out = append(out, &e)
		}
		rc.Close()
		if err := sc.Err(); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", k, err)
		}
	}
	return out, problems, nil
}

// Report is what Check found.
type Report struct {
	Entries  int      // in the catalog
	Sealed   int      // in the store
	Problems []string // empty when the log is whole
}

// Check verifies the chain in the catalog and in the sealed segments, and
// that every sealed entry is in the catalog unchanged.
func (l *Log) Check(ctx context.Context) (*Report, error) {
	live, err := l.cat.Audit(ctx, catalog.AuditFilter{})
	if err != nil {
		return nil, err
	}
	sealed, problems, err := l.sealed(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{Entries: len(live), Sealed: len(sealed)}
	for _, p := range catalog.VerifyChain(live, 1, "") {
		r.Problems = append(r.Problems, "catalog: "+p)
	}
	for _, p := range catalog.VerifyChain(sealed, 1, "") {
		r.Problems = append(r.Problems, "sealed log: "+p)
	}
	r.Problems = append(r.Problems, problems...)
	bySeq := make(map[int64]*sohoa.AuditEntry, len(live))
	for _, e := range live {
		bySeq[e.Seq] = e
	}
	for _, e := range sealed {
		c, ok := bySeq[e.Seq]
		switch {
		case !ok:
			r.Problems = append(r.Problems, fmt.Sprintf("entry %d is sealed in the store but missing from the catalog", e.Seq))
		case c.Hash != e.Hash || c.ComputeHash() != e.Hash:
			r.Problems = append(r.Problems, fmt.Sprintf("entry %d in the catalog differs from its sealed copy", e.Seq))
		}
	}
	return r, nil
}

// Restore fills an empty catalog's audit log from the sealed segments.
func (l *Log) Restore(ctx context.Context) (int, error) {
	sealed, problems, err := l.sealed(ctx)
	if err != nil {
		return 0, err
	}
	if p := append(problems, catalog.VerifyChain(sealed, 1, "")...); len(p) > 0 {
		return 0, fmt.Errorf("the sealed audit log is damaged: %s", strings.Join(p, "; "))
	}
	if err := l.cat.RestoreAudit(ctx, sealed); err != nil {
		return 0, err
	}
	if n := len(sealed); n > 0 {
		return n, l.cat.SetMeta(ctx, sealedKey, strconv.FormatInt(sealed[n-1].Seq, 10))
	}
	return 0, nil
}
