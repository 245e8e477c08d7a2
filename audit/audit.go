// Package audit owns the audit log: every read and change of a record, who
// made it, from which unit, when, why and from where. Entries are
// hash-chained in the catalog (which gives them their sequence numbers) and
// written to the object store before the request they record is answered,
// so that a rebuilt catalog loses none of them:
//
//	audit/batches/<first seq>-<last seq>.jsonl    one write batch (sohoa.AuditEntry a line)
//	audit/segments/<first seq>-<last seq>.jsonl   batches merged by the sealer, which then removes them
//
// Requests arriving while a batch is written wait and go in the next one,
// so that under load a batch costs one catalog transaction and one store
// write for many entries. While the store is away a batch goes instead to
// a journal on the local disk, fsynced before the requests are answered,
// until the sealer puts it in the store: so records stay readable during an
// outage, and a rebuilt catalog loses no entry unless the local disk is
// lost with the store away.
//
// The procedure systems' fetches of verified copies carry a sohoa.Reuse: the
// reuse ledger is made of those entries, in the catalog as they are
// appended and again from the store at a rebuild.
//
// Check finds an entry removed, reordered or edited, in the catalog or in
// the store; Restore brings the log back into a new catalog.
//
// How it moves to several nodes: the catalog's sequence stays the one chain
// (PostgreSQL serializes the appends as SQLite does); one node, holding a
// lock, runs the sealer.
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"sohoa"
	"sohoa/store"
)

// Catalog is what the log keeps in the catalog.
type Catalog interface {
	AppendAudit(ctx context.Context, entries []*sohoa.AuditEntry) error
	RestoreAudit(ctx context.Context, entries []*sohoa.AuditEntry) error
	Audit(ctx context.Context, f sohoa.AuditFilter) ([]*sohoa.AuditEntry, error)
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error
}

// Log is the audit log.
type Log struct {
	cat     Catalog
	store   store.Store
	log     *slog.Logger
	journal journal

	mu       sync.Mutex
	pending  []*request
	flushing bool
}

type request struct {
	entry *sohoa.AuditEntry
	done  chan error
}

// New returns the log kept in cat and s, with its local journal at
// journalPath ("": none, and a batch the store refuses fails its requests).
func New(cat Catalog, s store.Store, journalPath string, log *slog.Logger) *Log {
	return &Log{cat: cat, store: s, log: log, journal: journal{journalPath}}
}

// sealedKey is the catalog's note of the last entry merged into a segment.
const sealedKey = "audit_sealed_seq"

// flushTimeout bounds a batch's writes, whoever waits on it.
const flushTimeout = 30 * time.Second

// Record appends an entry and returns once it is in the catalog and in the
// store. A read that cannot be recorded must not be served: callers fail
// when this does.
func (l *Log) Record(ctx context.Context, e *sohoa.AuditEntry) error {
	r := &request{entry: e, done: make(chan error, 1)}
	l.mu.Lock()
	l.pending = append(l.pending, r)
	if l.flushing {
		l.mu.Unlock()
		return <-r.done
	}
	// The first to come writes batches until no one waits.
	l.flushing = true
	for len(l.pending) > 0 {
		batch := l.pending
		l.pending = nil
		l.mu.Unlock()
		err := l.flush(batch)
		for _, b := range batch {
			b.done <- err
		}
		l.mu.Lock()
	}
	l.flushing = false
	l.mu.Unlock()
	return <-r.done
}

// flush writes one batch: chained in the catalog, then to the store.
func (l *Log) flush(batch []*request) error {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	entries := make([]*sohoa.AuditEntry, len(batch))
	for i, r := range batch {
		entries[i] = r.entry
	}
	if err := l.cat.AppendAudit(ctx, entries); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	first, last := entries[0].Seq, entries[len(entries)-1].Seq
	err := putEntries(ctx, l.store, store.AuditBatchKey(first, last), entries)
	if err != nil && l.journal.path != "" && sohoa.ErrorCode(err) == sohoa.EUNAVAILABLE {
		if jerr := l.journal.append(entries); jerr != nil {
			return errors.Join(err, jerr)
		}
		l.log.Warn("object store unavailable: audit entries kept in the local journal until the next seal", "first", first, "last", last, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit batch %d-%d: %w", first, last, err)
	}
	return nil
}

func putEntries(ctx context.Context, s store.Putter, key string, entries []*sohoa.AuditEntry) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return s.Put(ctx, key, bytes.NewReader(b.Bytes()), int64(b.Len()))
}

// Seal merges the entries written since the last segment into a new one,
// from the catalog (so that an entry whose batch never reached the store
// is in it too), then removes the batches it holds. It returns how many
// entries it sealed.
func (l *Log) Seal(ctx context.Context) (int, error) {
	v, err := l.cat.Meta(ctx, sealedKey)
	if err != nil {
		return 0, err
	}
	after, _ := strconv.ParseInt(v, 10, 64)
	entries, err := l.cat.Audit(ctx, sohoa.AuditFilter{AfterSeq: after, Limit: 100000})
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	first, last := entries[0].Seq, entries[len(entries)-1].Seq
	if err := putEntries(ctx, l.store, store.AuditSegmentKey(first, last), entries); err != nil {
		return 0, fmt.Errorf("seal audit %d-%d: %w", first, last, err)
	}
	if err := l.cat.SetMeta(ctx, sealedKey, strconv.FormatInt(last, 10)); err != nil {
		return 0, err
	}
	if err := l.journal.drop(last); err != nil {
		return 0, err
	}
	var merged []string
	err = l.store.List(ctx, store.AuditBatchesPrefix, func(key string) error {
		if _, end, ok := store.AuditRange(key); ok && end <= last {
			merged = append(merged, key)
		}
		return nil
	})
	for _, k := range merged {
		if err == nil {
			err = l.store.Delete(ctx, k)
		}
	}
	return len(entries), err
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

// stored reads every segment and batch, and the local journal, merged by
// sequence number: the same entry in two of them counts once; two
// different entries under one number are a problem.
func (l *Log) stored(ctx context.Context) (entries []*sohoa.AuditEntry, sealed int64, problems []string, err error) {
	bySeq := map[int64]*sohoa.AuditEntry{}
	add := func(got []*sohoa.AuditEntry, bad []string, segment bool) {
		problems = append(problems, bad...)
		for _, e := range got {
			if prev, ok := bySeq[e.Seq]; ok && prev.Hash != e.Hash {
				problems = append(problems, fmt.Sprintf("entry %d is stored twice, differently", e.Seq))
				continue
			}
			bySeq[e.Seq] = e
			if segment {
				sealed = max(sealed, e.Seq)
			}
		}
	}
	for _, prefix := range []string{store.AuditSegmentsPrefix, store.AuditBatchesPrefix} {
		var keys []string
		if err := l.store.List(ctx, prefix, func(k string) error { keys = append(keys, k); return nil }); err != nil {
			return nil, 0, nil, err
		}
		for _, k := range keys {
			got, bad, err := readEntries(ctx, l.store, k)
			if err != nil {
				return nil, 0, nil, err
			}
			add(got, bad, prefix == store.AuditSegmentsPrefix)
		}
	}
	kept, bad, err := l.journal.read()
	if err != nil {
		return nil, 0, nil, err
	}
	add(kept, bad, false)
	for _, e := range bySeq {
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Seq < entries[j].Seq })
	return entries, sealed, problems, nil
}

func readEntries(ctx context.Context, s store.Getter, key string) ([]*sohoa.AuditEntry, []string, error) {
	b, err := store.ReadAll(ctx, s, key)
	if sohoa.IsNotFound(err) {
		return nil, nil, nil // merged and removed meanwhile: its segment has it
	}
	if err != nil {
		return nil, nil, err
	}
	return parseEntries(b, key)
}

// Report is what Check found.
type Report struct {
	Entries int // in the catalog
	Stored  int // in the store
	// Unstored counts entries of the catalog in neither the store nor the
	// local journal: a batch both refused (its requests were not served).
	Unstored int
	Problems []string // empty when the log is whole
}

// Check verifies the chain in the catalog and in the store, and that
// every stored entry is in the catalog unchanged.
func (l *Log) Check(ctx context.Context) (*Report, error) {
	live, err := l.cat.Audit(ctx, sohoa.AuditFilter{})
	if err != nil {
		return nil, err
	}
	stored, _, problems, err := l.stored(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{Entries: len(live), Stored: len(stored)}
	for _, p := range sohoa.VerifyChain(live, 1, "") {
		r.Problems = append(r.Problems, "catalog: "+p)
	}
	for _, p := range sohoa.VerifyChain(stored, 1, "") {
		r.Problems = append(r.Problems, "store: "+p)
	}
	r.Problems = append(r.Problems, problems...)
	bySeq := make(map[int64]*sohoa.AuditEntry, len(live))
	for _, e := range live {
		bySeq[e.Seq] = e
	}
	inStore := make(map[int64]bool, len(stored))
	for _, e := range stored {
		inStore[e.Seq] = true
		c, ok := bySeq[e.Seq]
		switch {
		case !ok:
			r.Problems = append(r.Problems, fmt.Sprintf("entry %d is sealed in the store but missing from the catalog", e.Seq))
		case c.Hash != e.Hash || c.ComputeHash() != e.Hash:
			r.Problems = append(r.Problems, fmt.Sprintf("entry %d in the catalog differs from its sealed copy", e.Seq))
		}
	}
	for _, e := range live {
		if !inStore[e.Seq] {
			r.Unstored++
		}
	}
	return r, nil
}

// Restore fills an empty catalog's audit log (and the reuse ledger made of
// it) from the store.
func (l *Log) Restore(ctx context.Context) (int, error) {
	stored, sealed, problems, err := l.stored(ctx)
	if err != nil {
		return 0, err
	}
	if p := append(problems, sohoa.VerifyChain(stored, 1, "")...); len(p) > 0 {
		return 0, fmt.Errorf("the audit log in the store is damaged: %s", strings.Join(p, "; "))
	}
	if err := l.cat.RestoreAudit(ctx, stored); err != nil {
		return 0, err
	}
	if sealed > 0 {
		if err := l.cat.SetMeta(ctx, sealedKey, strconv.FormatInt(sealed, 10)); err != nil {
			return 0, err
		}
	}
	return len(stored), nil
}
