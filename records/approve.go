package records

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"sohoa"
)

func version(a *sohoa.Approval) string { return "phiên bản " + strconv.Itoa(a.Version) }

// Approve makes a ready record's current version its verified, signed
// digitized copy, in the name of the record's unit (an official within
// reach, or an admin).
func (s *Service) Approve(ctx context.Context, p *sohoa.Principal, id string) (*sohoa.Approval, error) {
	if p.Role != sohoa.RoleOfficial && p.Role != sohoa.RoleAdmin {
		return nil, errForbidden()
	}
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	body := d.UnitID
	if u, err := s.cat.Unit(ctx, d.UnitID); err == nil {
		body = u.Name
	}
	a, err := s.writer.Approve(ctx, d.ID, p, body, s.cfg.PublicURL)
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionApprove, d.ID, version(a))
	}
	return a, err
}

// Revoke withdraws a record's approved version, with a reason.
func (s *Service) Revoke(ctx context.Context, p *sohoa.Principal, id, reason string) (*sohoa.Approval, error) {
	if p.Role != sohoa.RoleOfficial && p.Role != sohoa.RoleAdmin {
		return nil, errForbidden()
	}
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	a, err := s.writer.Revoke(ctx, d.ID, p, reason)
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionRevoke, d.ID, version(a))
	}
	return a, err
}

// Approvals returns every approved version of a record.
func (s *Service) Approvals(ctx context.Context, p *sohoa.Principal, id string) ([]sohoa.Approval, error) {
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.writer.Approvals(ctx, d.ID)
}

// approved returns the current approved version of a record within p's
// reach, and records the read as action.
func (s *Service) approved(ctx context.Context, p *sohoa.Principal, id, action string) (*sohoa.Approval, error) {
	d, err := s.document(ctx, p, id)
	if err != nil {
		return nil, err
	}
	as, err := s.writer.Approvals(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	a := sohoa.ActiveApproval(as)
	if a == nil {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Văn bản chưa có bản sao điện tử được phê duyệt.")
	}
	return a, s.record(ctx, p, action, d.ID, version(a))
}

// SignedPDF returns a record's signed copy.
func (s *Service) SignedPDF(ctx context.Context, p *sohoa.Principal, id string) (*Blob, error) {
	a, err := s.approved(ctx, p, id, sohoa.ActionSignedPDF)
	if err != nil {
		return nil, err
	}
	return s.pdf(a), nil
}

func (s *Service) pdf(a *sohoa.Approval) *Blob {
	return &Blob{ContentType: "application/pdf", ETag: a.PDFSHA256, Filename: a.DocumentID + "-v" + strconv.Itoa(a.Version) + ".pdf",
		open: func(ctx context.Context) (io.ReadCloser, error) { return s.writer.OpenSignedPDF(ctx, a) }}
}

// Receipt returns the signed receipt (JWS) of a record's approved copy.
func (s *Service) Receipt(ctx context.Context, p *sohoa.Principal, id string) (string, error) {
	a, err := s.approved(ctx, p, id, sohoa.ActionReceipt)
	if err != nil {
		return "", err
	}
	return a.Receipt, nil
}

// Verification is what anyone holding a copy may learn of its code: whether
// it is valid, superseded or revoked, who issued it and when; never
// personal data.
type Verification struct {
	Code         string     `json:"code"`
	Status       string     `json:"status"`
	Issuer       string     `json:"issuer"`
	IssuedAt     time.Time  `json:"issued_at"`
	Version      int        `json:"version"`
	DocumentType string     `json:"document_type"`
	PDFSHA256    string     `json:"signed_pdf_sha256"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	Reason       string     `json:"reason,omitempty"`
}

// Verify tells what became of the copy carrying code.
func (s *Service) Verify(ctx context.Context, code string) (*Verification, error) {
	a, err := s.cat.ApprovalByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return nil, err
	}
	label := a.Type
	if t, ok := sohoa.DocTypes[a.Type]; ok {
		label = t.Label
	}
	status := map[sohoa.ApprovalStatus]string{sohoa.ApprovalActive: "valid", sohoa.ApprovalSuperseded: "superseded", sohoa.ApprovalRevoked: "revoked"}[a.Status]
	v := &Verification{Code: a.Code, Status: status, Issuer: a.Body, IssuedAt: a.ApprovedAt, Version: a.Version,
		DocumentType: label, PDFSHA256: a.PDFSHA256, EndedAt: a.EndedAt}
	if a.EndedAt != nil {
		v.Reason = a.Reason
	}
	return v, nil
}
