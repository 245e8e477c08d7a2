package records

import (
	"context"
	"slices"
	"strings"

	"sohoa"
)

// VerifiedQuery is what a procedure system looks a citizen's records up
// by: a CCCD, a diploma's số hiệu or a document's số/ký hiệu, and a type.
type VerifiedQuery struct {
	SubjectID, Type, SoHieu, SoKyHieu string
	// SoVaoSo, or HoTen and NgaySinh together, find a person's row of an
	// approved register page.
	SoVaoSo, HoTen, NgaySinh string
}

// Use is why a procedure system fetches a verified copy: its purpose, the
// dossier (case) and the procedure it is for.
type Use struct {
	Purpose, CaseID, Procedure string
}

// scope is a procedure system's scope as a catalog filter: the types and
// the unit subtrees it may read (an admin: all).
func (s *Service) scope(ctx context.Context, p *sohoa.Principal) sohoa.VerifiedFilter {
	var f sohoa.VerifiedFilter
	if p.Role == sohoa.RoleAdmin {
		f.Types, f.UnitPaths = sohoa.TypeNames(), []string{"/"}
		return f
	}
	if p.Role != sohoa.RoleSystem || p.Scope == nil {
		return f
	}
	f.Types = p.Scope.Types
	// Diplomas are also the rows of the register pages they were entered in.
	if slices.Contains(f.Types, sohoa.TypeVanBang) && !slices.Contains(f.Types, sohoa.TypeSoGoc) {
		f.Types = append(slices.Clone(f.Types), sohoa.TypeSoGoc)
	}
	for _, id := range p.Scope.Units {
		if u, err := s.cat.Unit(ctx, id); err == nil {
			f.UnitPaths = append(f.UnitPaths, u.Path)
		}
	}
	return f
}

// VerifiedLookup finds a citizen's approved, current records for a
// procedure system, within its scope.
func (s *Service) VerifiedLookup(ctx context.Context, p *sohoa.Principal, q VerifiedQuery) ([]*sohoa.Verified, error) {
	f := s.scope(ctx, p)
	f.SubjectID, f.Type, f.SoHieu, f.SoKyHieu, f.Limit = q.SubjectID, q.Type, q.SoHieu, q.SoKyHieu, 100
	f.SoVaoSo, f.HoTen = strings.TrimSpace(q.SoVaoSo), strings.TrimSpace(q.HoTen)
	if (f.HoTen == "") != (q.NgaySinh == "") {
		return nil, sohoa.FieldError("ngay_sinh", "Tra cứu theo họ tên cần cả ho_ten và ngay_sinh.")
	}
	if q.NgaySinh != "" {
		d, err := sohoa.ParseDate(q.NgaySinh)
		if err != nil {
			return nil, sohoa.FieldError("ngay_sinh", "Tham số ngay_sinh: %v.", err)
		}
		f.NgaySinh = d
	}
	if f.SubjectID == "" && f.SoHieu == "" && f.SoKyHieu == "" && f.SoVaoSo == "" && f.HoTen == "" {
		return nil, sohoa.FieldError("subject_id", "Cần một trong các tham số subject_id (CCCD), so_hieu, so_ky_hieu, so_vao_so, hoặc ho_ten cùng ngay_sinh.")
	}
	if f.SubjectID != "" {
		if err := sohoa.CheckCCCD(f.SubjectID); err != nil {
			return nil, sohoa.FieldError("subject_id", "Số định danh không hợp lệ: %v.", err)
		}
	}
	if f.Type != "" && !slices.Contains(f.Types, f.Type) {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy hồ sơ loại %q trong phạm vi được khai thác.", f.Type)
	}
	found, err := s.cat.Verified(ctx, f)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(found))
	for i, x := range found {
		ids[i] = x.Document.ID
	}
	if err := s.record(ctx, p, sohoa.ActionVerifiedLookup, "", strings.Join(ids, ",")); err != nil {
		return nil, err
	}
	return found, nil
}

// verified returns the approved current record id, if in p's scope.
func (s *Service) verified(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Verified, error) {
	f := s.scope(ctx, p)
	f.DocumentID, f.Limit = id, 1
	found, err := s.cat.Verified(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy hồ sơ đã phê duyệt trong phạm vi được khai thác.")
	}
	return found[0], nil
}

// VerifiedPDF hands a procedure system the signed copy of a record in its
// scope. It must say why and for which dossier: the fetch is audited with
// both, and the audit entry is the reuse ledger's line (a paper the
// citizen did not have to bring).
func (s *Service) VerifiedPDF(ctx context.Context, p *sohoa.Principal, id string, use Use) (*Blob, error) {
	use.Purpose, use.CaseID, use.Procedure = strings.TrimSpace(use.Purpose), strings.TrimSpace(use.CaseID), strings.TrimSpace(use.Procedure)
	if use.Purpose == "" || use.CaseID == "" {
		field := "purpose"
		if use.Purpose != "" {
			field = "case_id"
		}
		return nil, sohoa.FieldError(field, "Cần nêu mục đích khai thác (purpose) và mã hồ sơ thủ tục (case_id).")
	}
	x, err := s.verified(ctx, p, id)
	if err != nil {
		return nil, err
	}
	by := *p
	by.Purpose = use.Purpose
	e := sohoa.NewAuditEntry(&by, sohoa.ActionVerifiedFetch, x.Document.ID, "hồ sơ thủ tục "+use.CaseID)
	e.Reuse = &sohoa.Reuse{Procedure: use.Procedure, CaseID: use.CaseID, Version: x.Approval.Version, Type: x.Document.Type}
	if err := s.recordEntry(ctx, e); err != nil {
		return nil, err
	}
	return s.pdf(x.Approval), nil
}

// VerifiedReceipt returns the receipt of a record in p's scope.
func (s *Service) VerifiedReceipt(ctx context.Context, p *sohoa.Principal, id string) (string, error) {
	x, err := s.verified(ctx, p, id)
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionReceipt, x.Document.ID, "")
	}
	if err != nil {
		return "", err
	}
	return x.Approval.Receipt, nil
}
