package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"sohoa"
)

// PutApproval inserts or updates an approval of a document in unitPath.
func (c *DB) PutApproval(ctx context.Context, a *sohoa.Approval, unitPath string) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = c.db.ExecContext(ctx, `INSERT INTO approvals (code, document_id, version, status, unit_path, approval) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET status = excluded.status, approval = excluded.approval`,
		a.Code, a.DocumentID, a.Version, string(a.Status), unitPath, string(b))
	if err != nil {
		return fmt.Errorf("put approval %s: %w", a.Code, err)
	}
	return nil
}

func scanApproval(row scanner) (*sohoa.Approval, string, error) {
	var raw, path string
	if err := row.Scan(&raw, &path); err != nil {
		return nil, "", err
	}
	var a sohoa.Approval
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return nil, "", err
	}
	return &a, path, nil
}

// ApprovalByCode returns the approval a verification code names.
func (c *DB) ApprovalByCode(ctx context.Context, code string) (*sohoa.Approval, error) {
	a, _, err := scanApproval(c.db.QueryRowContext(ctx, "SELECT approval, unit_path FROM approvals WHERE code = ?", strings.ToUpper(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không có bản sao nào mang mã xác minh này.")
	}
	return a, err
}

// Verified returns the approved current records that match f, within its scope.
func (c *DB) Verified(ctx context.Context, f sohoa.VerifiedFilter) ([]*sohoa.Verified, error) {
	q := `SELECT a.approval, a.unit_path, ` + prefixed("d.", documentColumns) + ` FROM approvals a JOIN documents d ON d.id = a.document_id
		WHERE a.status = 'approved'`
	var args []any
	add := func(cond string, v any) { q += " AND " + cond; args = append(args, v) }
	if f.DocumentID != "" {
		add("d.id = ?", f.DocumentID)
	}
	entry := func(cond string, v ...any) {
		q += " AND EXISTS (SELECT 1 FROM entries e WHERE e.document_id = d.id AND " + cond + ")"
		args = append(args, v...)
	}
	if f.SubjectID != "" {
		q += " AND (d.subject_id = ? OR EXISTS (SELECT 1 FROM entries e WHERE e.document_id = d.id AND e.so_dinh_danh = ?))"
		args = append(args, f.SubjectID, f.SubjectID)
	}
	if f.Type != "" {
		add("d.type = ?", f.Type)
	}
	if f.SoHieu != "" {
		q += " AND (json_extract(d.metadata, '$.so_hieu') = ? OR EXISTS (SELECT 1 FROM entries e WHERE e.document_id = d.id AND e.so_hieu = ?))"
		args = append(args, f.SoHieu, f.SoHieu)
	}
	if f.SoVaoSo != "" {
		entry("e.so_vao_so = ?", f.SoVaoSo)
	}
	if f.HoTen != "" {
		entry("e.name_key = ? AND e.ngay_sinh = ?", sohoa.NameKey(f.HoTen), f.NgaySinh)
	}
	if f.SoKyHieu != "" {
		add("(json_extract(d.metadata, '$.so') || '/' || json_extract(d.metadata, '$.ky_hieu')) = ?", f.SoKyHieu)
	}
	if len(f.Types) == 0 || len(f.UnitPaths) == 0 {
		return []*sohoa.Verified{}, nil
	}
	q += " AND d.type IN (?" + strings.Repeat(", ?", len(f.Types)-1) + ")"
	for _, t := range f.Types {
		args = append(args, t)
	}
	var units []string
	for _, p := range f.UnitPaths {
		units = append(units, "substr(d.unit_path, 1, ?) = ?")
		args = append(args, len(p), p)
	}
	q += " AND (" + strings.Join(units, " OR ") + ") ORDER BY a.document_id DESC LIMIT ?"
	args = append(args, max(f.Limit, 1))
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("verified: %w", err)
	}
	defer rows.Close()
	out := []*sohoa.Verified{}
	for rows.Next() {
		var raw, path string
		d, err := scanDocument(rows, &raw, &path)
		if err != nil {
			return nil, err
		}
		var a sohoa.Approval
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return nil, err
		}
		out = append(out, &sohoa.Verified{Approval: &a, Document: d, Entry: matchedEntry(d, f)})
	}
	return out, rows.Err()
}

func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ", ")
	for i := range cols {
		cols[i] = prefix + cols[i]
	}
	return strings.Join(cols, ", ")
}

// matchedEntry is the row of d that f looks for, if f looks for a row.
func matchedEntry(d *sohoa.Document, f sohoa.VerifiedFilter) *sohoa.Entry {
	for i := range d.Entries {
		e := &d.Entries[i]
		found := func(name, want string) bool { return want != "" && e.Sure(name) == want }
		switch {
		case found("so_vao_so", f.SoVaoSo), found("so_hieu", f.SoHieu), found("so_dinh_danh", f.SubjectID),
			f.HoTen != "" && found("ngay_sinh", f.NgaySinh) && sohoa.NameKey(e.Sure("ho_ten")) == sohoa.NameKey(f.HoTen):
			return e
		}
	}
	return nil
}
