package records

import (
	"context"
	"fmt"

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

// Edited is what became of one record of an UpdateMany: the record as it
// is now, or why it was left as it was.
type Edited struct {
	ID  string          `json:"id"`
	Doc *sohoa.Document `json:"document,omitempty"`
	Err error           `json:"-"`
	// Title is the record's, when it was refused but p may read it.
	Title string `json:"title,omitempty"`
}

// MaxUpdateMany is how many records one UpdateMany takes.
const MaxUpdateMany = 200

// UpdateMany applies one patch (the fields a batch shares: its school, its
// year, its type) to each record of ids, each on its own: one refused
// leaves the others changed. A record out of p's reach is refused as one
// that does not exist.
func (s *Service) UpdateMany(ctx context.Context, p *sohoa.Principal, ids []string, patch *sohoa.RecordPatch) ([]Edited, error) {
	if len(ids) == 0 {
		return nil, sohoa.FieldError("ids", "Chưa chọn hồ sơ nào.")
	}
	if len(ids) > MaxUpdateMany {
		return nil, sohoa.FieldError("ids", "Mỗi lần chỉ sửa được tối đa %d hồ sơ.", MaxUpdateMany)
	}
	if patch.Title != nil {
		return nil, sohoa.FieldError("title", "Không sửa cùng lúc tiêu đề của nhiều hồ sơ.")
	}
	if patch.Type == nil && len(patch.Metadata) == 0 {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Chưa chọn thông tin nào để sửa.")
	}
	out := make([]Edited, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		d, err := s.Update(ctx, p, id, patch)
		if code := sohoa.ErrorCode(err); code == sohoa.EUNAVAILABLE || code == sohoa.EINTERNAL {
			return out, err
		}
		e := Edited{ID: id, Doc: d, Err: err}
		if err != nil {
			if d, err := s.document(ctx, p, id); err == nil {
				e.Title = d.Title
			}
		}
		out = append(out, e)
	}
	return out, nil
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

// Accept takes into the record the values read off its pages (Proposed):
// those of fields, or with none named every one not doubtful, and the
// proposed type of a record that has none. It is an Update: validated,
// kept in the history, refused whole on any fault.
func (s *Service) Accept(ctx context.Context, p *sohoa.Principal, id string, fields []string) (*sohoa.Document, error) {
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	patch := &sohoa.RecordPatch{Metadata: map[string]any{}, Reason: "Nhận giá trị đọc từ trang"}
	if d.Type == "" && d.ProposedType != nil {
		typ, _ := d.ProposedType.Value.(string)
		patch.Type = &typ
	}
	var errs sohoa.Problems
	for _, name := range fields {
		if pr, ok := d.Proposed[name]; ok {
			patch.Metadata[name] = pr.Value
		} else {
			errs.Add(name, "Không có giá trị đề xuất cho trường %q.", name)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		for name, pr := range d.Proposed {
			if !pr.Doubtful {
				patch.Metadata[name] = pr.Value
			}
		}
	}
	if len(patch.Metadata) == 0 && patch.Type == nil {
		return nil, sohoa.Errorf(sohoa.ECONFLICT, "Không có giá trị đề xuất chắc chắn nào để nhận; hãy chọn từng trường cần nhận.")
	}
	return s.Update(ctx, p, id, patch)
}

// UpdateEntry confirms, corrects or completes (with a CCCD) a row of a
// register page of p's own unit.
func (s *Service) UpdateEntry(ctx context.Context, p *sohoa.Principal, id string, row int, values map[string]any) (*sohoa.Document, error) {
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.CanEdit(d.UnitPath) {
		return nil, sohoa.Errorf(sohoa.EFORBIDDEN, "Bạn chỉ được sửa hồ sơ của đơn vị mình.")
	}
	if d.Type != sohoa.TypeSoGoc {
		return nil, sohoa.Errorf(sohoa.ECONFLICT, "Hồ sơ này không phải trang sổ gốc: không có dòng để sửa.")
	}
	if d, err = s.writer.UpdateEntry(ctx, d.ID, row, values, p); err == nil {
		err = s.record(ctx, p, sohoa.ActionUpdate, d.ID, fmt.Sprintf("dòng %d", row))
	}
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, d, false), nil
}
