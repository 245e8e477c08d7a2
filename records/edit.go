package records

import (
	"context"

	"sohoa"
	"sohoa/ingest"
)

// Update changes a record of p's own unit: all of the patch or, on any
// error (every field at fault named), none of it.
func (s *Service) Update(ctx context.Context, p *sohoa.Principal, id string, patch *sohoa.RecordPatch) (*sohoa.Document, error) {
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.CanEdit(d.UnitPath) {
		return nil, sohoa.Errorf(sohoa.EFORBIDDEN, "Bạn chỉ được sửa hồ sơ của đơn vị mình.")
	}
	d, err = s.writer.Update(ctx, d.ID, &ingest.Patch{Title: patch.Title, Type: patch.Type, Metadata: patch.Metadata,
		ConfirmDuplicate: patch.ConfirmDuplicate, Reason: patch.Reason, By: p})
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionUpdate, d.ID, "")
	}
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, d, false), nil
}

// Delete deletes a record (an admin's to do); the store keeps a tombstone.
func (s *Service) Delete(ctx context.Context, p *sohoa.Principal, id string) error {
	if p.Role != sohoa.RoleAdmin {
		return errForbidden()
	}
	d, err := s.document(ctx, p, id)
	if err == nil {
		err = s.writer.Delete(ctx, d.ID, p)
	}
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionDelete, d.ID, "")
	}
	return err
}
