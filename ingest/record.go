package ingest

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sort"
	"strings"

	"sohoa"
	"sohoa/store"
)

// Patch changes a document's record. Nil fields are left alone; a nil value
// in Metadata removes that field.
type Patch struct {
	Title            *string
	Type             *string
	Metadata         map[string]any
	ConfirmDuplicate bool
	// Reason is required to correct an approved record: the approved
	// version is then superseded and a new approval is needed.
	Reason string
	By     *sohoa.Principal
}

// Update applies p to document id: all of it or, on any error, none of it.
// Each changed field is kept in the manifest's history with who, when, the
// old and the new value; earlier revisions of the manifest stay in the store.
func (s *Service) Update(ctx context.Context, id string, p *Patch) (*sohoa.Document, error) {
	var superseded *sohoa.Approval
	var changes int
	m, err := s.updateManifest(ctx, id, func(m *sohoa.Manifest) error {
		var err error
		superseded, changes, err = s.applyPatch(ctx, m, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	if changes == 0 {
		return m.Document(), nil
	}
	if superseded != nil {
		if err := s.cat.PutApproval(ctx, superseded, m.UnitPath); err != nil {
			return nil, err
		}
	}
	d, err := s.recordChanged(ctx, m)
	if err != nil {
		return nil, err
	}
	s.log.Info("document updated", "document", id, "fields", changes)
	return d, nil
}

// recordChanged puts a manifest whose record changed in the catalog, then
// (once read) in the index: store first, catalog second.
func (s *Service) recordChanged(ctx context.Context, m *sohoa.Manifest) (*sohoa.Document, error) {
	d := m.Document()
	if err := s.cat.PutDocument(ctx, d, false); err != nil {
		return nil, err
	}
	if m.Status == sohoa.StatusReady {
		if err := s.reindex(ctx, m.ID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// applyPatch changes m as p says, or returns why not (store.ErrUnchanged
// when p changes nothing).
func (s *Service) applyPatch(ctx context.Context, m *sohoa.Manifest, p *Patch) (*sohoa.Approval, int, error) {
	typ := m.Type
	if p.Type != nil {
		typ = *p.Type
	}
	raw := map[string]any{}
	for k, v := range m.Metadata {
		raw[k] = v
	}
	for k, v := range p.Metadata {
		if v == nil {
			delete(raw, k)
		} else {
			raw[k] = v
		}
	}
	var errs sohoa.Problems
	title := m.Title
	if p.Title != nil {
		t, err := NormalizeTitle(*p.Title)
		if err == nil && t == "" {
			err = sohoa.FieldError("title", "Tiêu đề phải có từ 1 đến %d ký tự.", MaxTitleLength)
		}
		if err := errs.AddError(err); err != nil {
			return nil, 0, err
		}
		title = t
	}
	meta, dup, err := s.checkRecord(ctx, p.By, m.ID, typ, raw, p.ConfirmDuplicate)
	if err := errs.AddError(err); err != nil {
		return nil, 0, err
	}
	if err := errs.Err(); err != nil {
		return nil, 0, err
	}
	now := s.now().UTC()
	var changes []sohoa.Change
	change := func(field string, old, new any) {
		if fmt.Sprint(old) != fmt.Sprint(new) {
			changes = append(changes, sohoa.Change{At: now, UserID: p.By.UserID, By: p.By.Username, Field: field, Old: old, New: new})
		}
	}
	change("title", m.Title, title)
	change("type", m.Type, typ)
	for _, k := range unionKeys(m.Metadata, meta) {
		change("metadata."+k, m.Metadata[k], meta[k])
	}
	if len(changes) == 0 {
		return nil, 0, store.ErrUnchanged
	}
	var superseded *sohoa.Approval
	if m.Active() != nil {
		if strings.TrimSpace(p.Reason) == "" {
			return nil, 0, sohoa.FieldError("reason", "Hồ sơ đã được phê duyệt: cần nêu lý do đính chính (reason); bản đã phê duyệt sẽ bị thay thế và cần phê duyệt lại.")
		}
		superseded = s.endApproval(m, sohoa.ApprovalSuperseded, p.By.Username, strings.TrimSpace(p.Reason))
	}
	m.Title, m.Type, m.Metadata, m.Changes = title, typ, meta, append(m.Changes, changes...)
	if dup != "" {
		m.DuplicateOf = dup
	}
	return superseded, len(changes), nil
}

func unionKeys(a, b sohoa.Metadata) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []sohoa.Metadata{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// reindex puts a ready document's newest record in the index. The writes
// of one document in this process go one at a time, each reading the
// manifest afresh, so that the last is of the newest.
func (s *Service) reindex(ctx context.Context, id string) error {
	h := fnv.New32a()
	h.Write([]byte(id))
	mu := &s.indexing[h.Sum32()%uint32(len(s.indexing))]
	mu.Lock()
	defer mu.Unlock()
	m, err := s.Manifest(ctx, id)
	if err != nil {
		return err
	}
	if m.Status != sohoa.StatusReady {
		return nil
	}
	pages, err := s.pageTexts(ctx, id)
	if err != nil {
		return err
	}
	return s.idx.Put(ctx, m.IndexDocument(pages))
}

// pageTexts returns the text of each page of a ready document, as the
// worker stored it (pages separated by form feeds).
func (s *Service) pageTexts(ctx context.Context, id string) ([]string, error) {
	text, err := store.ReadAll(ctx, s.store, store.TextKey(id))
	if err != nil {
		return nil, err
	}
	return strings.Split(string(text), "\f"), nil
}

// History returns the changes made to a document's record, oldest first.
func (s *Service) History(ctx context.Context, id string) ([]sohoa.Change, error) {
	m, err := s.Manifest(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Changes == nil {
		return []sohoa.Change{}, nil
	}
	return m.Changes, nil
}

// Delete tombstones a document in the store, then removes it from the index
// and the catalog. The originals stay: the store is the record.
func (s *Service) Delete(ctx context.Context, id string, by *sohoa.Principal) error {
	var revoked *sohoa.Approval
	m, err := s.updateManifest(ctx, id, func(m *sohoa.Manifest) error {
		m.Deleted = &sohoa.Deletion{At: s.now().UTC(), By: by.Username}
		revoked = s.endApproval(m, sohoa.ApprovalRevoked, by.Username, "Hồ sơ đã bị xóa.")
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	if revoked != nil {
		if err := s.cat.PutApproval(ctx, revoked, m.UnitPath); err != nil {
			return err
		}
	}
	if err := s.idx.Delete(ctx, id); err != nil {
		return fmt.Errorf("delete %s from index: %w", id, err)
	}
	if err := s.cat.DeleteDocument(ctx, id); err != nil {
		return err
	}
	s.log.Info("document deleted", "document", id, "by", by.Username)
	return nil
}

// UpdateEntry confirms or corrects cells of row of register page id, or
// adds the person's CCCD: each value set is then sure (checked as a
// diploma's field, the CCCD against the row's birth date and sex), kept in
// the history as entries.<row>.<field>. A nil value confirms the cell as
// read.
func (s *Service) UpdateEntry(ctx context.Context, id string, row int, values map[string]any, by *sohoa.Principal) (*sohoa.Document, error) {
	m, err := s.updateManifest(ctx, id, func(m *sohoa.Manifest) error {
		if row < 1 || row > len(m.Entries) {
			return sohoa.Errorf(sohoa.ENOTFOUND, "Trang sổ không có dòng %d (có %d dòng).", row, len(m.Entries))
		}
		e := &m.Entries[row-1]
		merged := map[string]any{}
		for _, name := range sohoa.EntryFields {
			if v := e.Value(name); v != "" {
				merged[name] = v
			}
		}
		var errs sohoa.Problems
		for name, v := range values {
			if !slices.Contains(sohoa.EntryFields, name) {
				errs.Add(name, "Dòng của sổ không có trường %q (%s).", name, strings.Join(sohoa.EntryFields, ", "))
				continue
			}
			if v != nil {
				merged[name] = v
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		checked, err := sohoa.ValidateMetadata(sohoa.TypeVanBang, merged)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		changed := false
		for _, name := range slices.Sorted(maps.Keys(values)) {
			f, ok := e.Fields[name]
			if !ok {
				f = sohoa.Proposal{Page: e.Page, Box: e.Box}
			}
			v, _ := checked[name].(string)
			if f.Value == v && !f.Doubtful {
				continue
			}
			m.Changes = append(m.Changes, sohoa.Change{At: now, UserID: by.UserID, By: by.Username, Field: fmt.Sprintf("entries.%d.%s", row, name), Old: f.Value, New: v})
			f.Value, f.Confidence, f.Doubtful = v, 100, false
			e.Fields[name], changed = f, true
		}
		if !changed {
			return store.ErrUnchanged
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d, err := s.recordChanged(ctx, m)
	if err != nil {
		return nil, err
	}
	s.log.Info("register row updated", "document", id, "row", row)
	return d, nil
}
