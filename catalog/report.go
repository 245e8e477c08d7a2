package catalog

import (
	"context"
	"encoding/json"
	"fmt"

	"sohoa"
)

// EachDocument calls visit with every document under the unit path (the
// unit and those below it), in no set order, until visit fails. The
// monthly report reads them all once.
func (c *DB) EachDocument(ctx context.Context, unitPath string, visit func(*sohoa.Document) error) error {
	rows, err := c.db.QueryContext(ctx, "SELECT "+documentColumns+" FROM documents WHERE substr(unit_path, 1, ?) = ?", len(unitPath), unitPath)
	if err != nil {
		return fmt.Errorf("documents of %s: %w", unitPath, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return err
		}
		if err := visit(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachApproval calls visit with every approval of a document under the
// unit path, and that document's unit path.
func (c *DB) EachApproval(ctx context.Context, unitPath string, visit func(a *sohoa.Approval, docPath string) error) error {
	rows, err := c.db.QueryContext(ctx, `SELECT a.approval, d.unit_path FROM approvals a JOIN documents d ON d.id = a.document_id
		WHERE substr(d.unit_path, 1, ?) = ?`, len(unitPath), unitPath)
	if err != nil {
		return fmt.Errorf("approvals of %s: %w", unitPath, err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw, path string
		if err := rows.Scan(&raw, &path); err != nil {
			return err
		}
		var a sohoa.Approval
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return fmt.Errorf("approval: %w", err)
		}
		if err := visit(&a, path); err != nil {
			return err
		}
	}
	return rows.Err()
}
