package api

import (
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/catalog"
	"sohoa/sign"
	"sohoa/store"
)

// approveDocument makes the document's current version its verified,
// signed copy (an official within reach, or an admin).
func (s *Server) approveDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := principal(r.Context())
	body := d.UnitID
	if u, err := s.Catalog.Unit(r.Context(), d.UnitID); err == nil {
		body = u.Name
	}
	a, err := s.Ingest.Approve(r.Context(), d.ID, p, body, s.PublicURL)
	if err == nil {
		err = s.audit(r, sohoa.ActionApprove, d.ID, "phiên bản "+itoa(a.Version))
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) revokeDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	a, err := s.Ingest.Revoke(r.Context(), d.ID, principal(r.Context()), req.Reason)
	if err == nil {
		err = s.audit(r, sohoa.ActionRevoke, d.ID, "phiên bản "+itoa(a.Version))
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request) {
	d, err := s.document(r)
	var as []sohoa.Approval
	if err == nil {
		as, err = s.Ingest.Approvals(r.Context(), d.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvals": as})
}

// approvedCopy returns the current approved version of the request's
// document, within the caller's reach, and records the read as action.
func (s *Server) approvedCopy(r *http.Request, action string) (*sohoa.Approval, error) {
	d, err := s.document(r)
	if err != nil {
		return nil, err
	}
	as, err := s.Ingest.Approvals(r.Context(), d.ID)
	if err != nil {
		return nil, err
	}
	a := sohoa.ActiveApproval(as)
	if a == nil {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Văn bản chưa có bản sao điện tử được phê duyệt.")
	}
	return a, s.audit(r, action, d.ID, "phiên bản "+itoa(a.Version))
}

func (s *Server) writePDF(w http.ResponseWriter, r *http.Request, a *sohoa.Approval) {
	rc, err := s.Ingest.Open(r.Context(), store.SignedPDFKey(a.DocumentID, a.Version))
	if err != nil {
		s.error(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+a.DocumentID+`-v`+itoa(a.Version)+`.pdf"`)
	w.Header().Set("ETag", `"`+a.PDFSHA256+`"`)
	io.Copy(w, rc)
}

func (s *Server) writeReceipt(w http.ResponseWriter, a *sohoa.Approval) {
	w.Header().Set("Content-Type", "application/jose; charset=utf-8")
	io.WriteString(w, a.Receipt)
}

func (s *Server) documentSignedPDF(w http.ResponseWriter, r *http.Request) {
	a, err := s.approvedCopy(r, sohoa.ActionSignedPDF)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writePDF(w, r, a)
}

func (s *Server) documentReceipt(w http.ResponseWriter, r *http.Request) {
	a, err := s.approvedCopy(r, sohoa.ActionReceipt)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeReceipt(w, a)
}

// keys publishes the signing certificate chain, to check copies and
// receipts offline.
func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	chain, err := sign.ParseCertificates(s.Certificates)
	if err != nil {
		s.error(w, r, sohoa.Errorf(sohoa.EUNAVAILABLE, "Chưa cấu hình chứng thư số."))
		return
	}
	x5c := make([]string, len(chain))
	for i, c := range chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificate_pem": string(s.Certificates), "x5c": x5c,
		"subject": chain[0].Subject.String(), "not_after": chain[0].NotAfter})
}

//go:embed verify.html
var verifyHTML string

var verifyTemplate = template.Must(template.New("verify").Parse(verifyHTML))

// verifyPage tells anyone holding a copy whether its code is valid,
// superseded or revoked, who issued it and when; never personal data.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	if !s.limits.allow("verify:"+clientAddr(r), s.VerifyPerMinute) {
		w.Header().Set("Retry-After", "60")
		s.error(w, r, &sohoa.Error{Code: codeRateLimited, Message: "Quá nhiều lượt tra cứu; vui lòng thử lại sau ít phút."})
		return
	}
	code := strings.ToUpper(strings.TrimSpace(mux.Vars(r)["code"]))
	a, err := s.Catalog.ApprovalByCode(r.Context(), code)
	if err != nil {
		s.error(w, r, err)
		return
	}
	label := a.Type
	if t, ok := sohoa.DocTypes[a.Type]; ok {
		label = t.Label
	}
	status := map[sohoa.ApprovalStatus]string{sohoa.ApprovalActive: "valid", sohoa.ApprovalSuperseded: "superseded", sohoa.ApprovalRevoked: "revoked"}[a.Status]
	v := map[string]any{"code": a.Code, "status": status, "issuer": a.Body, "issued_at": a.ApprovedAt, "version": a.Version,
		"document_type": label, "signed_pdf_sha256": a.PDFSHA256}
	if a.EndedAt != nil {
		v["ended_at"], v["reason"] = a.EndedAt, a.Reason
	}
	if r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, v)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	verifyTemplate.Execute(w, v)
}

// scopeFilter turns a procedure system's scope into a catalog filter, or
// an error when it asks for a type outside it.
func (s *Server) scopeFilter(r *http.Request) (catalog.VerifiedFilter, error) {
	p := principal(r.Context())
	var f catalog.VerifiedFilter
	if p.Role == sohoa.RoleAdmin {
		f.Types = sohoa.TypeNames()
		f.UnitPaths = []string{"/"}
		return f, nil
	}
	if p.Scope == nil {
		return f, nil
	}
	f.Types = p.Scope.Types
	for _, id := range p.Scope.Units {
		if u, err := s.Catalog.Unit(r.Context(), id); err == nil {
			f.UnitPaths = append(f.UnitPaths, u.Path)
		}
	}
	return f, nil
}

type verifiedRecord struct {
	ID         string         `json:"id"`
	Version    int            `json:"version"`
	Code       string         `json:"code"`
	Type       string         `json:"type"`
	UnitID     string         `json:"unit_id"`
	Issuer     string         `json:"issuer"`
	ApprovedAt time.Time      `json:"approved_at"`
	Metadata   sohoa.Metadata `json:"metadata"`
	SignedPDF  string         `json:"signed_pdf"`
	PDFSHA256  string         `json:"signed_pdf_sha256"`
	Receipt    string         `json:"receipt"`
}

// verifiedLookup finds a citizen's approved, current records for a
// procedure system, within its scope.
func (s *Server) verifiedLookup(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f, _ := s.scopeFilter(r)
	f.SubjectID, f.Type, f.SoHieu, f.SoKyHieu, f.Limit = v.Get("subject_id"), v.Get("type"), v.Get("so_hieu"), v.Get("so_ky_hieu"), 100
	if f.SubjectID == "" && f.SoHieu == "" && f.SoKyHieu == "" {
		s.error(w, r, sohoa.FieldError("subject_id", "Cần một trong các tham số subject_id (CCCD), so_hieu hoặc so_ky_hieu."))
		return
	}
	if f.SubjectID != "" {
		if err := sohoa.CheckCCCD(f.SubjectID); err != nil {
			s.error(w, r, sohoa.FieldError("subject_id", "Số định danh không hợp lệ: %v.", err))
			return
		}
	}
	if f.Type != "" && !slices.Contains(f.Types, f.Type) {
		s.error(w, r, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy hồ sơ loại %q trong phạm vi được khai thác.", f.Type))
		return
	}
	found, err := s.Catalog.Verified(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]verifiedRecord, len(found))
	ids := make([]string, len(found))
	for i, x := range found {
		ids[i] = x.Document.ID
		out[i] = verifiedRecord{ID: x.Document.ID, Version: x.Approval.Version, Code: x.Approval.Code, Type: x.Document.Type,
			UnitID: x.Document.UnitID, Issuer: x.Approval.Body, ApprovedAt: x.Approval.ApprovedAt, Metadata: x.Document.Metadata,
			SignedPDF: "/api/v1/verified/" + x.Document.ID + "/signed.pdf", PDFSHA256: x.Approval.PDFSHA256, Receipt: x.Approval.Receipt}
	}
	if err := s.audit(r, sohoa.ActionVerifiedLookup, "", strings.Join(ids, ",")); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"records": out})
}

// verifiedRecordOf returns the approved current record id, if in scope.
func (s *Server) verifiedRecordOf(r *http.Request) (*catalog.Verified, error) {
	f, _ := s.scopeFilter(r)
	f.DocumentID, f.Limit = mux.Vars(r)["id"], 1
	found, err := s.Catalog.Verified(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy hồ sơ đã phê duyệt trong phạm vi được khai thác.")
	}
	return found[0], nil
}

// verifiedPDF hands a procedure system the signed copy. It must say why
// (purpose) and for which dossier (case_id); the fetch is audited and
// counted in the reuse ledger.
func (s *Server) verifiedPDF(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	purpose, caseID := strings.TrimSpace(q.Get("purpose")), strings.TrimSpace(q.Get("case_id"))
	if purpose == "" {
		purpose = strings.TrimSpace(r.Header.Get("X-Purpose"))
	}
	if purpose == "" || caseID == "" {
		field := "purpose"
		if purpose != "" {
			field = "case_id"
		}
		s.error(w, r, sohoa.FieldError(field, "Cần nêu mục đích khai thác (purpose) và mã hồ sơ thủ tục (case_id)."))
		return
	}
	x, err := s.verifiedRecordOf(r)
	if err == nil {
		err = s.audit(r, sohoa.ActionVerifiedFetch, x.Document.ID, "hồ sơ thủ tục "+caseID)
	}
	if err == nil {
		p := principal(r.Context())
		err = s.Catalog.AddReuse(r.Context(), &catalog.ReuseEntry{At: time.Now().UTC(), ClientID: p.UserID, Client: p.Username,
			Procedure: strings.TrimSpace(q.Get("procedure")), CaseID: caseID, Purpose: purpose, Document: x.Document.ID,
			Version: x.Approval.Version, Type: x.Document.Type})
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writePDF(w, r, x.Approval)
}

func (s *Server) verifiedReceipt(w http.ResponseWriter, r *http.Request) {
	x, err := s.verifiedRecordOf(r)
	if err == nil {
		err = s.audit(r, sohoa.ActionReceipt, x.Document.ID, "")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeReceipt(w, x.Approval)
}

// reuseSummary sums up the reuse ledger: the papers citizens did not have
// to bring, by procedure system, procedure and type.
func (s *Server) reuseSummary(w http.ResponseWriter, r *http.Request) {
	from, to, err := dateRange(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	entries, err := s.Catalog.Reuse(r.Context(), from, to)
	if err != nil {
		s.error(w, r, err)
		return
	}
	byClient, byProcedure, byType := map[string]int{}, map[string]int{}, map[string]int{}
	cases := map[string]bool{}
	for _, e := range entries {
		byClient[e.Client]++
		byProcedure[e.Procedure]++
		byType[e.Type]++
		cases[e.Client+"|"+e.CaseID] = true
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(entries), "cases": len(cases), "by_client": byClient,
		"by_procedure": byProcedure, "by_type": byType, "entries": entries})
}
