package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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

func scanApproval(row interface{ Scan(...any) error }) (*sohoa.Approval, string, error) {
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

// VerifiedFilter selects approved, current records for a procedure system.
type VerifiedFilter struct {
	DocumentID string
	SubjectID  string
	Type       string
	SoHieu     string
	SoKyHieu   string
	// Scope: the types and the unit subtrees (paths) the client may read.
	Types     []string
	UnitPaths []string
	Limit     int
}

// Verified is an approved, current record.
type Verified struct {
	Approval *sohoa.Approval
	Document *sohoa.Document
}

// Verified returns the approved current records that match f, within its scope.
func (c *DB) Verified(ctx context.Context, f VerifiedFilter) ([]*Verified, error) {
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
		return []*Verified{}, nil
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
	out := []*Verified{}
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
		out = append(out, &Verified{Approval: &a, Document: d})
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

// ReuseEntry is one fetch of a verified record by a procedure system: a
// paper a citizen did not have to bring.
type ReuseEntry struct {
	At        time.Time `json:"at"`
	ClientID  string    `json:"client_id"`
	Client    string    `json:"client"`
	Procedure string    `json:"procedure"`
	CaseID    string    `json:"case_id"`
	Purpose   string    `json:"purpose"`
	Document  string    `json:"document"`
	Version   int       `json:"version"`
	Type      string    `json:"type"`
}

// AddReuse records a fetch in the reuse ledger.
func (c *DB) AddReuse(ctx context.Context, e *ReuseEntry) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO reuse (at, client_id, client, procedure, case_id, purpose, document, version, type)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, formatTime(e.At), e.ClientID, e.Client, e.Procedure, e.CaseID, e.Purpose, e.Document, e.Version, e.Type)
	return err
}

// Reuse returns the ledger between from and to (zero: unbounded).
func (c *DB) Reuse(ctx context.Context, from, to time.Time) ([]*ReuseEntry, error) {
	q := "SELECT at, client_id, client, procedure, case_id, purpose, document, version, type FROM reuse WHERE 1=1"
	var args []any
	if !from.IsZero() {
		q += " AND at >= ?"
		args = append(args, formatTime(from))
	}
	if !to.IsZero() {
		q += " AND at < ?"
		args = append(args, formatTime(to))
	}
	rows, err := c.db.QueryContext(ctx, q+" ORDER BY seq", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*ReuseEntry{}
	for rows.Next() {
		var e ReuseEntry
		var at string
		if err := rows.Scan(&at, &e.ClientID, &e.Client, &e.Procedure, &e.CaseID, &e.Purpose, &e.Document, &e.Version, &e.Type); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(timeFormat, at)
		out = append(out, &e)
	}
	return out, rows.Err()
}
