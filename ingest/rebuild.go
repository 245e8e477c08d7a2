package ingest

import (
	"context"
	"fmt"

	"sohoa"
	"sohoa/store"
)

// RebuildStats says what a rebuild found.
type RebuildStats struct {
	Documents, Indexed, Queued, Failed, Deleted int
}

// Rebuild fills an empty catalog and index from the manifests in the store:
// ready documents are indexed from their stored text, unfinished ones are
// queued again, deleted ones stay away.
func (s *Service) Rebuild(ctx context.Context) (*RebuildStats, error) {
	return s.fromStore(ctx, true)
}

// Reindex fills an empty index from the manifests in the store, for an
// index made by an older layout (search.Index.Stale); the catalog stays.
func (s *Service) Reindex(ctx context.Context) (*RebuildStats, error) {
	return s.fromStore(ctx, false)
}

// fromStore walks the manifests in the store and indexes the ready
// documents; with catalog, it also puts every document and approval in
// the catalog and queues the unfinished ones again.
func (s *Service) fromStore(ctx context.Context, catalog bool) (*RebuildStats, error) {
	var st RebuildStats
	var batch []*sohoa.IndexDocument
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.idx.PutBatch(ctx, batch)
		batch = batch[:0]
		return err
	}
	err := s.store.List(ctx, store.DocumentsPrefix, func(key string) error {
		if !store.IsManifestKey(key) {
			return nil
		}
		var m sohoa.Manifest
		if err := store.GetJSON(ctx, s.store, key, &m); err != nil {
			return err
		}
		// Approvals stay verifiable, even of deleted documents: a copy once
		// issued must always say what became of it.
		for i := 0; catalog && i < len(m.Approvals); i++ {
			if err := s.cat.PutApproval(ctx, &m.Approvals[i], m.UnitPath); err != nil {
				return err
			}
		}
		if m.Deleted != nil {
			st.Deleted++
			return nil
		}
		st.Documents++
		unfinished := m.Status == sohoa.StatusQueued || m.Status == sohoa.StatusProcessing
		if catalog {
			if err := s.cat.PutDocument(ctx, m.Document(), unfinished); err != nil {
				return err
			}
		}
		switch m.Status {
		case sohoa.StatusReady:
			pages, err := s.pageTexts(ctx, m.ID)
			if err != nil {
				return fmt.Errorf("rebuild %s: %w", m.ID, err)
			}
			batch = append(batch, m.IndexDocument(pages))
			st.Indexed++
			if len(batch) >= 200 {
				return flush()
			}
		case sohoa.StatusFailed:
			st.Failed++
		default:
			st.Queued++
		}
		return nil
	})
	if err != nil {
		return &st, fmt.Errorf("rebuild: %w", err)
	}
	return &st, flush()
}
