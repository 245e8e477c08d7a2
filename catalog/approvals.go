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
	if f.SubjectID != "" {
		add("d.subject_id = ?", f.SubjectID)
	}
	if f.Type != "" {
		add("d.type = ?", f.Type)
	}
	if f.SoHieu != "" {
		add("json_extract(d.metadata, '$.so_hieu') = ?", f.SoHieu)
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
		out = append(out, &sohoa.Verified{Approval: &a, Document: d})
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
