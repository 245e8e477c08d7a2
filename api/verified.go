package api

import (
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/records"
)

// approveDocument makes the document's current version its verified,
// signed copy (an official within reach, or an admin).
func (s *Server) approveDocument(w http.ResponseWriter, r *http.Request) {
	a, err := s.Records.Approve(r.Context(), principal(r), mux.Vars(r)["id"])
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) revokeDocument(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	err := decodeJSON(r, &req)
	var a *sohoa.Approval
	if err == nil {
		a, err = s.Records.Revoke(r.Context(), principal(r), mux.Vars(r)["id"], req.Reason)
	}
	s.reply(w, r, a, err)
}

func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request) {
	as, err := s.Records.Approvals(r.Context(), principal(r), mux.Vars(r)["id"])
	s.reply(w, r, map[string]any{"approvals": as}, err)
}

func (s *Server) documentSignedPDF(w http.ResponseWriter, r *http.Request) {
	b, err := s.Records.SignedPDF(r.Context(), principal(r), mux.Vars(r)["id"])
	s.writeBlob(w, r, b, "", err)
}

func (s *Server) writeReceipt(w http.ResponseWriter, r *http.Request, receipt string, err error) {
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jose; charset=utf-8")
	io.WriteString(w, receipt)
}

func (s *Server) documentReceipt(w http.ResponseWriter, r *http.Request) {
	receipt, err := s.Records.Receipt(r.Context(), principal(r), mux.Vars(r)["id"])
	s.writeReceipt(w, r, receipt, err)
}

// keys publishes the signing certificate chain, to check copies and
// receipts offline.
func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	if len(s.Certificates) == 0 {
		s.error(w, r, sohoa.Errorf(sohoa.EUNAVAILABLE, "Chưa cấu hình chứng thư số."))
		return
	}
	x5c := make([]string, len(s.Certificates))
	for i, c := range s.Certificates {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificate_pem": string(s.CertificatePEM), "x5c": x5c,
		"subject": s.Certificates[0].Subject.String(), "not_after": s.Certificates[0].NotAfter})
}

//go:embed verify.html
var verifyHTML string

var verifyTemplate = template.Must(template.New("verify").Parse(verifyHTML))

// verifyPage tells anyone holding a copy whether its code is valid,
// superseded or revoked, who issued it and when; never personal data.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	if !s.limits.allow("verify:"+clientAddr(r), s.VerifyPerMinute) {
		w.Header().Set("Retry-After", "60")
		s.error(w, r, &sohoa.Error{Code: sohoa.ETOOMANY, Message: "Quá nhiều lượt tra cứu; vui lòng thử lại sau ít phút."})
		return
	}
	v, err := s.Records.Verify(r.Context(), mux.Vars(r)["code"])
	if err != nil {
		s.error(w, r, err)
		return
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
	// Entry is the person's row, when the record is a register page.
	Entry *sohoa.Entry `json:"entry,omitempty"`
}

// verifiedLookup finds a citizen's approved, current records for a
// procedure system, within its scope.
func (s *Server) verifiedLookup(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	found, err := s.Records.VerifiedLookup(r.Context(), principal(r), records.VerifiedQuery{SubjectID: v.Get("subject_id"),
		Type: v.Get("type"), SoHieu: v.Get("so_hieu"), SoKyHieu: v.Get("so_ky_hieu"), SoVaoSo: v.Get("so_vao_so"),
		HoTen: v.Get("ho_ten"), NgaySinh: v.Get("ngay_sinh")})
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]verifiedRecord, len(found))
	for i, x := range found {
		out[i] = verifiedRecord{ID: x.Document.ID, Version: x.Approval.Version, Code: x.Approval.Code, Type: x.Document.Type,
			UnitID: x.Document.UnitID, Issuer: x.Approval.Body, ApprovedAt: x.Approval.ApprovedAt, Metadata: x.Document.Metadata,
			SignedPDF: "/api/v1/verified/" + x.Document.ID + "/signed.pdf", PDFSHA256: x.Approval.PDFSHA256, Receipt: x.Approval.Receipt, Entry: x.Entry}
	}
	writeJSON(w, http.StatusOK, map[string]any{"records": out})
}

// verifiedPDF hands a procedure system the signed copy, for the purpose
// (?purpose= or X-Purpose) and dossier (?case_id=) it states.
func (s *Server) verifiedPDF(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	use := records.Use{Purpose: purpose(r), CaseID: q.Get("case_id"), Procedure: q.Get("procedure")}
	b, err := s.Records.VerifiedPDF(r.Context(), principal(r), mux.Vars(r)["id"], use)
	s.writeBlob(w, r, b, "", err)
}

func (s *Server) verifiedReceipt(w http.ResponseWriter, r *http.Request) {
	receipt, err := s.Records.VerifiedReceipt(r.Context(), principal(r), mux.Vars(r)["id"])
	s.writeReceipt(w, r, receipt, err)
}

// reuseSummary sums up the reuse ledger: the papers citizens did not have
// to bring, by procedure system, procedure and type.
func (s *Server) reuseSummary(w http.ResponseWriter, r *http.Request) {
	from, to, err := sohoa.ParseDayRange(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	var sum *records.ReuseSummary
	if err == nil {
		sum, err = s.Records.Reuse(r.Context(), principal(r), from, to)
	}
	s.reply(w, r, sum, err)
}
