package catalog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"sohoa"
)

// PutDocument inserts d, or replaces the row of an older revision of it;
// when enqueue is set, it also queues an OCR job for it in the same
// transaction. Two writers finishing out of order leave the newer one.
func (c *DB) PutDocument(ctx context.Context, d *sohoa.Document, enqueue bool) error {
	pages, err := json.Marshal(d.Pages)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(d.Metadata)
	if err != nil {
		return err
	}
	proposed, err := json.Marshal(proposals{Type: d.ProposedType, Fields: d.Proposed, Entries: d.Entries})
	if err != nil {
		return err
	}
	readyAt := ""
	if d.ReadyAt != nil {
		readyAt = formatTime(*d.ReadyAt)
	}
	subject := ""
	if d.Subject != nil {
		subject = d.Subject.ID
	}
	return c.inTx(ctx, func(tx *sql.Tx) error {
		_, err = tx.ExecContext(ctx, `INSERT INTO documents (id, title, type, unit_id, unit_path, metadata, subject_id, dup_key,
				duplicate_of, created_by, status, error, created_at, updated_at, pages, revision, proposed, ready_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET title=excluded.title, type=excluded.type, unit_id=excluded.unit_id,
				unit_path=excluded.unit_path, metadata=excluded.metadata, subject_id=excluded.subject_id,
				dup_key=excluded.dup_key, duplicate_of=excluded.duplicate_of, status=excluded.status,
				error=excluded.error, updated_at=excluded.updated_at, pages=excluded.pages, revision=excluded.revision,
				proposed=excluded.proposed, ready_at=excluded.ready_at
			WHERE excluded.revision >= documents.revision`,
			d.ID, d.Title, d.Type, d.UnitID, d.UnitPath, string(meta), subject, sohoa.DuplicateKey(d.Type, d.Metadata),
			d.DuplicateOf, d.CreatedBy, string(d.Status), d.Error, formatTime(d.CreatedAt), formatTime(d.UpdatedAt), string(pages), d.Revision, string(proposed), readyAt)
		if err != nil {
			return fmt.Errorf("put document %s: %w", d.ID, err)
		}
		if err := putEntries(ctx, tx, d); err != nil {
			return err
		}
		for _, p := range d.Pages {
			if p.Source == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO originals (sha256, document_id) VALUES (?, ?)", p.Source, d.ID); err != nil {
				return fmt.Errorf("originals of %s: %w", d.ID, err)
			}
		}
		if enqueue {
			_, err = tx.ExecContext(ctx, `INSERT INTO jobs (document_id, state, run_after) VALUES (?, 'queued', 0)
				ON CONFLICT (document_id) DO UPDATE SET state='queued', run_after=0`, d.ID)
			if err != nil {
				return fmt.Errorf("queue document %s: %w", d.ID, err)
			}
		}
		return nil
	})
}

// putEntries keeps the rows of a register page that may be looked up:
// each value read surely or confirmed; a doubtful one is not found until
// a person confirms it, so that no one is verified against a misread row.
func putEntries(ctx context.Context, tx *sql.Tx, d *sohoa.Document) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM entries WHERE document_id = ?", d.ID); err != nil {
		return fmt.Errorf("entries of %s: %w", d.ID, err)
	}
	for _, e := range d.Entries {
		name := ""
		if e.Sure("ho_ten") != "" && e.Sure("ngay_sinh") != "" {
			name = sohoa.NameKey(e.Sure("ho_ten"))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO entries (document_id, row, name_key, ngay_sinh, so_hieu, so_vao_so, so_dinh_danh)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, d.ID, e.Row, name, e.Sure("ngay_sinh"), e.Sure("so_hieu"), e.Sure("so_vao_so"), e.Sure("so_dinh_danh"))
		if err != nil {
			return fmt.Errorf("entries of %s: %w", d.ID, err)
		}
	}
	return nil
}

const documentColumns = "id, title, type, unit_id, unit_path, metadata, duplicate_of, created_by, status, error, created_at, updated_at, pages, revision, proposed, ready_at"

// proposals is how the proposed column keeps a document's proposals.
type proposals struct {
	Type    *sohoa.Proposal           `json:"type,omitempty"`
	Fields  map[string]sohoa.Proposal `json:"fields,omitempty"`
	Entries []sohoa.Entry             `json:"entries,omitempty"`
}

// scanDocument reads the documentColumns of a row, after the extra
// columns it may start with.
func scanDocument(row scanner, extra ...any) (*sohoa.Document, error) {
	var d sohoa.Document
	var status, created, updated, pages, meta, proposed, ready string
	dest := append(extra, &d.ID, &d.Title, &d.Type, &d.UnitID, &d.UnitPath, &meta, &d.DuplicateOf, &d.CreatedBy,
		&status, &d.Error, &created, &updated, &pages, &d.Revision, &proposed, &ready)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	d.Status = sohoa.Status(status)
	d.CreatedAt, d.UpdatedAt = parseTime(created), parseTime(updated)
	if ready != "" {
		t := parseTime(ready)
		d.ReadyAt = &t
	}
	if err := json.Unmarshal([]byte(pages), &d.Pages); err != nil {
		return nil, fmt.Errorf("document %s pages: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(meta), &d.Metadata); err != nil {
		return nil, fmt.Errorf("document %s metadata: %w", d.ID, err)
	}
	if d.Metadata == nil {
		d.Metadata = sohoa.Metadata{}
	}
	var ps proposals
	if err := json.Unmarshal([]byte(proposed), &ps); err != nil {
		return nil, fmt.Errorf("document %s proposed: %w", d.ID, err)
	}
	d.Proposed, d.ProposedType, d.Entries = ps.Fields, ps.Type, ps.Entries
	for k, v := range d.Metadata {
		d.Metadata[k] = fromJSON(v)
	}
	for k, p := range d.Proposed {
		p.Value = fromJSON(p.Value)
		d.Proposed[k] = p
	}
	d.Subject = sohoa.SubjectOf(d.Type, d.Metadata)
	return &d, nil
}

// fromJSON is a field's value as the code keeps it, from what JSON gives
// back: numbers as float64 (so_trang is an int), lists as []any
// (noi_nhan is a []string).
func fromJSON(v any) any {
	switch v := v.(type) {
	case float64:
		return int(v)
	case []any:
		list := make([]string, len(v))
		for i, e := range v {
			list[i], _ = e.(string)
		}
		return list
	}
	return v
}

// Document returns the document with the given id.
func (c *DB) Document(ctx context.Context, id string) (*sohoa.Document, error) {
	d, err := scanDocument(c.db.QueryRowContext(ctx, "SELECT "+documentColumns+" FROM documents WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &sohoa.Error{Code: sohoa.ENOTFOUND, Message: "Không tìm thấy văn bản.", Err: fmt.Errorf("document %s", id)}
	}
	return d, err
}

// DuplicateOf returns the ID and unit path of another document with the
// same duplicate key (see sohoa.DuplicateKey), or "".
func (c *DB) DuplicateOf(ctx context.Context, key, except string) (id, unitPath string, err error) {
	if key == "" {
		return "", "", nil
	}
	err = c.db.QueryRowContext(ctx, "SELECT id, unit_path FROM documents WHERE dup_key = ? AND id != ? ORDER BY id LIMIT 1", key, except).
		Scan(&id, &unitPath)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return id, unitPath, err
}

// reachClause is the SQL condition of a reach on a unit path column.
func reachClause(col string, r sohoa.Reach) (string, []any) {
	switch {
	case r.All:
		return "1=1", nil
	case r.Path == "":
		return "0=1", nil
	case r.Subtree:
		return "substr(" + col + ", 1, ?) = ?", []any{len(r.Path), r.Path}
	}
	return col + " = ?", []any{r.Path}
}

// Documents lists the documents f selects, in f's order.
func (c *DB) Documents(ctx context.Context, f sohoa.DocumentFilter) (*sohoa.DocumentList, error) {
	where, args := reachClause("unit_path", f.Reach)
	q := "SELECT " + documentColumns + " FROM documents WHERE " + where
	and := func(clause string, a ...any) {
		q += " AND " + clause
		args = append(args, a...)
	}
	if f.Status != nil {
		and("status = ?", string(*f.Status))
	}
	if f.Original != "" {
		and("id IN (SELECT document_id FROM originals WHERE sha256 = ?)", f.Original)
	}
	if f.SubjectID != "" {
		and("(subject_id = ? OR EXISTS (SELECT 1 FROM entries e WHERE e.document_id = documents.id AND e.so_dinh_danh = ?))", f.SubjectID, f.SubjectID)
	}
	if f.Type != "" {
		and("type = ?", f.Type)
	}
	if f.UnitPath != "" {
		and("substr(unit_path, 1, ?) = ?", len(f.UnitPath), f.UnitPath)
	}
	if f.Year != "" {
		and("substr("+recordDate+", 1, 4) = ?", f.Year)
	}
	if !f.Since.IsZero() {
		and("created_at >= ?", formatTime(f.Since))
	}
	if !f.Before.IsZero() {
		and("created_at < ?", formatTime(f.Before))
	}
	if f.Unapproved {
		and("NOT EXISTS (SELECT 1 FROM approvals a WHERE a.document_id = documents.id AND a.status = 'approved')")
	}
	order, ok := orders[f.Sort]
	if !ok {
		return nil, sohoa.FieldError("sort", "Cách sắp xếp %q không hợp lệ.", string(f.Sort))
	}
	if f.Cursor != "" {
		key, id, err := decodeCursor(f.Cursor, f.Sort)
		if err != nil {
			return nil, err
		}
		if order.key == "" {
			and("id "+order.cmp+" ?", id)
		} else {
			and("("+order.key+" "+order.cmp+" ? OR ("+order.key+" = ? AND id "+order.cmp+" ?))", key, key, id)
		}
	}
	q += " ORDER BY " + order.by + " LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	p := &sohoa.DocumentList{Documents: []*sohoa.Document{}}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		p.Documents = append(p.Documents, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.Documents) > f.Limit {
		p.Documents = p.Documents[:f.Limit]
		last := p.Documents[f.Limit-1]
		p.Next = encodeCursor(f.Sort, order.keyOf(last), last.ID)
	}
	return p, nil
}

// recordDate is the SQL of a document's own date (its type's DateField),
// "" when it has none.
var recordDate = func() string {
	e := "coalesce(CASE type"
	for _, n := range sohoa.TypeNames() {
		e += fmt.Sprintf(" WHEN '%s' THEN json_extract(metadata, '$.%s')", n, sohoa.DocTypes[n].DateField)
	}
	return e + " END, '')"
}()

// orders are the listing orders: by what, and how a cursor resumes after
// the last row (by its key, then its ID).
var orders = map[sohoa.Sort]struct {
	by, key, cmp string
	keyOf        func(*sohoa.Document) string
}{
	sohoa.SortNewest: {by: "id DESC", cmp: "<", keyOf: func(*sohoa.Document) string { return "" }},
	sohoa.SortOldest: {by: "id ASC", cmp: ">", keyOf: func(*sohoa.Document) string { return "" }},
	sohoa.SortTitle:  {by: "title ASC, id ASC", key: "title", cmp: ">", keyOf: func(d *sohoa.Document) string { return d.Title }},
	sohoa.SortDate: {by: recordDate + " DESC, id DESC", key: recordDate, cmp: "<",
		keyOf: (*sohoa.Document).OwnDate},
}

// A cursor is where a listing resumes: the order, the last row's key in
// it and its ID. A bare ID (the first releases' cursor) resumes the
// newest first.
type cursor struct {
	Sort sohoa.Sort `json:"s,omitempty"`
	Key  string     `json:"k,omitempty"`
	ID   string     `json:"id"`
}

func encodeCursor(s sohoa.Sort, key, id string) string {
	b, _ := json.Marshal(cursor{s, key, id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, sort sohoa.Sort) (key, id string, err error) {
	bad := sohoa.FieldError("cursor", "Tham số cursor không hợp lệ.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", "", bad
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil {
		c = cursor{ID: string(b)}
	}
	if !sohoa.ValidID(c.ID) || c.Sort != sort {
		return "", "", bad
	}
	return c.Key, c.ID, nil
}

// Tally counts the documents within r made since since, and their pages.
func (c *DB) Tally(ctx context.Context, r sohoa.Reach, since time.Time) (*sohoa.Tally, error) {
	where, args := reachClause("unit_path", r)
	var t sohoa.Tally
	err := c.db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(json_array_length(pages)), 0) FROM documents WHERE "+where+" AND created_at >= ?",
		append(args, formatTime(since))...).Scan(&t.Documents, &t.Pages)
	if err != nil {
		return nil, fmt.Errorf("tally: %w", err)
	}
	return &t, nil
}

// DeleteDocument removes a document and its job.
func (c *DB) DeleteDocument(ctx context.Context, id string) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM documents WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete document %s: %w", id, err)
		}
		for _, table := range []string{"entries", "originals"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE document_id = ?", id); err != nil {
				return fmt.Errorf("delete document %s: %w", id, err)
			}
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM jobs WHERE document_id = ?", id)
		return err
	})
}
