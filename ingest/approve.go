package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"sohoa"
	"sohoa/pdfcopy"
	"sohoa/store"
)

// Certifier makes the signed copy and the signed receipt.
type Certifier interface {
	SignedCopy(pages []pdfcopy.Page, mark pdfcopy.Mark) ([]byte, error)
	Receipt(payload []byte) (string, error)
}

func errChangedMeanwhile() error {
	return sohoa.Errorf(sohoa.ECONFLICT, "Văn bản vừa được thay đổi hoặc phê duyệt bởi người khác; vui lòng xem lại rồi thử lại.")
}

// Approve makes the current version of a ready document its verified,
// signed digitized copy: the PDF with its mark and PAdES signature, and the
// receipt. body is the converting body the copy names; verifyBase the
// public address codes are checked at. The copy is signed once, from the
// manifest as read; if the manifest changed before the approval is written
// into it, nothing is approved and the official is told to look again.
func (s *Service) Approve(ctx context.Context, id string, by *sohoa.Principal, body, verifyBase string) (*sohoa.Approval, error) {
	if s.cfg.Certifier == nil {
		return nil, sohoa.Errorf(sohoa.EUNAVAILABLE, "Chưa cấu hình chứng thư số để ký bản sao.")
	}
	m, err := s.Manifest(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := canApprove(m); err != nil {
		return nil, err
	}
	a, err := s.sign(ctx, m, by, body, verifyBase)
	if err != nil {
		return nil, err
	}
	read := m.Revision
	m, err = s.updateManifest(ctx, id, func(m *sohoa.Manifest) error {
		if m.Revision != read {
			return errChangedMeanwhile()
		}
		m.Approvals = append(m.Approvals, *a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.cat.PutApproval(ctx, a, m.UnitPath); err != nil {
		return nil, err
	}
	s.log.Info("document approved", "document", id, "version", a.Version, "code", a.Code)
	return a, s.reindex(ctx, id)
}

func canApprove(m *sohoa.Manifest) error {
	if m.Status != sohoa.StatusReady {
		return sohoa.Errorf(sohoa.ECONFLICT, "Chỉ phê duyệt được văn bản đã nhận dạng xong.")
	}
	if a := m.Active(); a != nil {
		return &sohoa.Error{Code: sohoa.ECONFLICT, Message: fmt.Sprintf("Văn bản đã được phê duyệt (phiên bản %d, mã %s).", a.Version, a.Code)}
	}
	return nil
}

// sign makes the signed copy of m's next version and its receipt, and
// keeps the copy in the store.
func (s *Service) sign(ctx context.Context, m *sohoa.Manifest, by *sohoa.Principal, body, verifyBase string) (*sohoa.Approval, error) {
	pages := make([]pdfcopy.Page, len(m.Pages))
	receiptPages := make([]sohoa.ReceiptPage, len(m.Pages))
	for i, p := range m.Pages {
		img, err := store.ReadAll(ctx, s.store, store.OriginalKey(p.SHA256))
		if err != nil {
			return nil, err
		}
		pt, err := s.PageText(ctx, m.ID, p.Number)
		if err != nil {
			return nil, err
		}
		pages[i] = pdfcopy.Page{Image: img, ContentType: p.ContentType, Width: p.Width, Height: p.Height, DPI: p.DPI, Words: pt.Words,
			Rotation: pt.Rotation}
		receiptPages[i] = sohoa.ReceiptPage{Number: p.Number, SHA256: p.SHA256}
	}
	now := s.now().In(sohoa.Vietnam).Truncate(time.Second)
	a := &sohoa.Approval{DocumentID: m.ID, Version: len(m.Approvals) + 1, Code: sohoa.NewVerificationCode(), Status: sohoa.ApprovalActive,
		ApprovedAt: now, ApprovedBy: by.UserID, ApproverName: by.Username, UnitID: by.UnitID, Body: body, Type: m.Type}
	verifyURL := strings.TrimRight(verifyBase, "/") + "/verify/" + a.Code
	pdf, err := s.cfg.Certifier.SignedCopy(pages, pdfcopy.Mark{Body: body, At: now, Code: a.Code, VerifyURL: verifyURL})
	if err != nil {
		return nil, fmt.Errorf("signed copy of %s: %w", m.ID, err)
	}
	sum := sha256.Sum256(pdf)
	a.PDFSHA256 = hex.EncodeToString(sum[:])
	if err := store.PutBytes(ctx, s.store, store.SignedPDFKey(m.ID, a.Version, a.PDFSHA256), pdf); err != nil {
		return nil, err
	}
	payload, _ := json.Marshal(sohoa.Receipt{Document: m.ID, Version: a.Version, Status: a.Status, Code: a.Code, Type: m.Type,
		Metadata: m.Metadata, SignedPDF: a.PDFSHA256, Pages: receiptPages, Approver: sohoa.ReceiptApprover{User: by.Username, Unit: by.UnitID},
		ApprovedAt: now, Issuer: body, VerifyURL: verifyURL})
	if a.Receipt, err = s.cfg.Certifier.Receipt(payload); err != nil {
		return nil, err
	}
	return a, nil
}

// OpenSignedPDF returns the signed copy of an approved version.
func (s *Service) OpenSignedPDF(ctx context.Context, a *sohoa.Approval) (io.ReadCloser, error) {
	rc, err := s.store.Get(ctx, store.SignedPDFKey(a.DocumentID, a.Version, a.PDFSHA256))
	if sohoa.IsNotFound(err) {
		rc, err = s.store.Get(ctx, store.LegacySignedPDFKey(a.DocumentID, a.Version))
	}
	return rc, err
}

// Revoke withdraws the current approved version, with a reason.
func (s *Service) Revoke(ctx context.Context, id string, by *sohoa.Principal, reason string) (*sohoa.Approval, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, sohoa.FieldError("reason", "Cần nêu lý do thu hồi (reason).")
	}
	var a *sohoa.Approval
	m, err := s.updateManifest(ctx, id, func(m *sohoa.Manifest) error {
		if a = s.endApproval(m, sohoa.ApprovalRevoked, by.Username, reason); a == nil {
			return sohoa.Errorf(sohoa.ECONFLICT, "Văn bản không có phiên bản đang được phê duyệt.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.cat.PutApproval(ctx, a, m.UnitPath); err != nil {
		return nil, err
	}
	s.log.Info("approval revoked", "document", id, "version", a.Version)
	return a, s.reindex(ctx, id)
}

// endApproval ends the manifest's active approval, if any, and returns it.
func (s *Service) endApproval(m *sohoa.Manifest, status sohoa.ApprovalStatus, by, reason string) *sohoa.Approval {
	a := m.Active()
	if a == nil {
		return nil
	}
	now := s.now().UTC()
	a.Status, a.EndedAt, a.EndedBy, a.Reason = status, &now, by, reason
	return a
}

// Approvals returns every approved version of a document.
func (s *Service) Approvals(ctx context.Context, id string) ([]sohoa.Approval, error) {
	m, err := s.Manifest(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Approvals == nil {
		return []sohoa.Approval{}, nil
	}
	return m.Approvals, nil
}

// SignReport signs a document the service made (the monthly report's
// pages) with the Department's key, as a PDF titled title.
func (s *Service) SignReport(pages []pdfcopy.Page, title string, at time.Time) ([]byte, error) {
	if s.cfg.Certifier == nil {
		return nil, sohoa.Errorf(sohoa.EUNAVAILABLE, "Chưa cấu hình khóa ký số của Sở: không ký được báo cáo.")
	}
	return s.cfg.Certifier.SignedCopy(pages, pdfcopy.Mark{Title: title, At: at})
}
