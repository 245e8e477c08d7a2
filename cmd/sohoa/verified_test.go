package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifiedRecordForAProcedure is issue 4's path: a diploma uploaded with
// its fields, approved, looked up by a procedure system by CCCD, fetched
// with a purpose and case id, checked with pdfsig and with the published
// certificate, corrected, revoked; the verify page and the reuse ledger say
// what happened.
func TestVerifiedRecordForAProcedure(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Fatal("pdfsig (poppler-utils) is needed: make deps installs it")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	s := startServer(t, data)
	s.newUnit("THA", "SGD", "truong")
	clerk := s.newUser("vt.tha", "THA", "clerk")
	official := s.newUser("cb.sgd", "SGD", "official")
	client := func(name, scope string) string {
		r := s.do("POST", "/api/v1/users", adminToken, strings.NewReader(`{"username":"`+name+`","full_name":"Hệ thống `+name+`","unit_id":"SGD","role":"system","scope":`+scope+`}`), "application/json")
		var u struct{ ID string }
		r.json(t, &u)
		if r.Status != 201 {
			t.Fatalf("client %s: %d %s", name, r.Status, r.Body)
		}
		r = s.do("POST", "/api/v1/tokens", adminToken, strings.NewReader(`{"name":"dịch vụ công","user_id":"`+u.ID+`"}`), "application/json")
		var tok struct{ Token string }
		r.json(t, &tok)
		return tok.Token
	}
	dvc := client("dvc", `{"types":["van_bang"],"units":["SGD"],"rate_per_minute":600}`)
	other := client("vbhc", `{"types":["van_ban"],"units":["SGD"]}`)

	const cccd = "030204001234"
	r := s.upload(clerk, part{field: "title", data: []byte("Bằng tốt nghiệp THPT")}, part{field: "type", data: []byte("van_bang")},
		part{field: "ho_ten", data: []byte("Lê Quang Tuấn")}, part{field: "ngay_sinh", data: []byte("12/04/2004")},
		part{field: "so_hieu", data: []byte("B 0174420")}, part{field: "so_vao_so", data: []byte("0415/THPT/2022")},
		part{field: "nam_tot_nghiep", data: []byte("2022")}, part{field: "so_dinh_danh", data: []byte(cccd)},
		part{"file", "bang.png", fixture(t, "pages/d3-bang-tuan.png")})
	var d document
	r.json(t, &d)
	s.waitDone(d.ID)

	type record struct {
		ID, Code, Receipt string
		Version           int
		SignedPDF         string `json:"signed_pdf"`
	}
	lookup := func(token, query string) (int, []record) {
		var res struct{ Records []record }
		r := s.do("GET", "/api/v1/verified?"+query, token, nil, "")
		r.json(t, &res)
		return r.Status, res.Records
	}
	if _, recs := lookup(dvc, "subject_id="+cccd+"&type=van_bang"); len(recs) != 0 {
		t.Fatalf("an unapproved record is served: %+v", recs)
	}
	if r := s.do("POST", "/api/v1/documents/"+d.ID+"/approve", clerk, nil, ""); r.Status != 403 {
		t.Fatalf("a clerk approved: %d", r.Status)
	}
	r = s.do("POST", "/api/v1/documents/"+d.ID+"/approve", official, nil, "")
	var approval struct {
		Code, Status string
		Version      int
	}
	r.json(t, &approval)
	if r.Status != 201 || approval.Version != 1 || approval.Code == "" {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/api/v1/documents/"+d.ID+"/approve", official, nil, ""); r.Status != 409 {
		t.Errorf("approved twice: %d", r.Status)
	}

	status, recs := lookup(dvc, "subject_id="+cccd+"&type=van_bang")
	if status != 200 || len(recs) != 1 || recs[0].ID != d.ID || recs[0].Version != 1 || recs[0].Receipt == "" {
		t.Fatalf("lookup by CCCD: %d %+v", status, recs)
	}
	if _, byHieu := lookup(dvc, "so_hieu=B+0174420"); len(byHieu) != 1 {
		t.Errorf("lookup by số hiệu: %+v", byHieu)
	}
	if status, _ := lookup(other, "subject_id="+cccd+"&type=van_bang"); status != 404 {
		t.Errorf("a client without diplomas in its scope: %d, want 404", status)
	}
	if _, recs := lookup(other, "subject_id="+cccd); len(recs) != 0 {
		t.Errorf("a client without diplomas in its scope found one: %+v", recs)
	}
	for _, q := range []string{"", "?purpose=C%E1%BA%A5p+b%E1%BA%A3n+sao", "?case_id=000.00.17.H23-261126-0001"} {
		if r := s.do("GET", recs[0].SignedPDF+q, dvc, nil, ""); r.Status != 400 || r.errorCode() != "invalid" {
			t.Errorf("fetch %q: %d %s, want 400", q, r.Status, r.Body)
		}
	}
	fetch := "?purpose=Tuy%E1%BB%83n+d%E1%BB%A5ng+vi%C3%AAn+ch%E1%BB%A9c&case_id=000.00.17.H23-261126-0001&procedure=1.005388"
	if r := s.do("GET", recs[0].SignedPDF+fetch, other, nil, ""); r.Status != 404 {
		t.Errorf("fetch outside the scope: %d", r.Status)
	}
	r = s.do("GET", recs[0].SignedPDF+fetch, dvc, nil, "")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("fetch: %d %s", r.Status, r.Header)
	}
	pdf := r.Body
	pdfPath := filepath.Join(dir, "copy.pdf")
	os.WriteFile(pdfPath, pdf, 0o644)

	// pdfsig and pdftotext, as any reader would.
	out, _ := exec.Command("pdfsig", pdfPath).CombinedOutput()
	if !strings.Contains(string(out), "Signature is Valid") || !strings.Contains(string(out), "Total document signed") ||
		!strings.Contains(string(out), "ETSI.CAdES.detached") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	if text, err := exec.Command("pdftotext", pdfPath, "-").Output(); err != nil || !strings.Contains(string(text), "Tuấn") ||
		!strings.Contains(string(text), approval.Code) {
		t.Errorf("pdftotext (%v) lacks the OCR text or the code:\n%s", err, text)
	}
	if v, _ := exec.Command("pdfinfo", pdfPath).Output(); !strings.Contains(strings.Join(strings.Fields(string(v)), " "), "PDF version: 1.7") {
		t.Errorf("pdfinfo:\n%s", v)
	}

	// The receipt, checked offline with the published certificate.
	var keys struct {
		CertificatePEM string `json:"certificate_pem"`
	}
	s.do("GET", "/api/v1/keys", dvc, nil, "").json(t, &keys)
	certPath := filepath.Join(dir, "cert.pem")
	os.WriteFile(certPath, []byte(keys.CertificatePEM), 0o644)
	receiptPath := filepath.Join(dir, "receipt.jws")
	os.WriteFile(receiptPath, []byte(recs[0].Receipt), 0o644)
	verify := func(file string) (string, error) {
		out, err := exec.Command(sohoaBin, "verify", "-cert", certPath, file).CombinedOutput()
		return string(out), err
	}
	for _, f := range []string{pdfPath, receiptPath} {
		if out, err := verify(f); err != nil || !strings.HasPrefix(out, "valid") {
			t.Errorf("sohoa verify %s: %v\n%s", filepath.Base(f), err, out)
		}
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(recs[0].Receipt, ".")[1])
	var receipt struct {
		Document, Status, Code string
		Version                int
		SignedPDF              string `json:"signed_pdf_sha256"`
		Pages                  []struct{ SHA256 string }
		Approver               struct{ User, Unit string }
	}
	json.Unmarshal(payload, &receipt)
	sum := sha256.Sum256(pdf)
	if receipt.Document != d.ID || receipt.Version != 1 || receipt.SignedPDF != hex.EncodeToString(sum[:]) ||
		len(receipt.Pages) != 1 || receipt.Pages[0].SHA256 != sha(fixture(t, "pages/d3-bang-tuan.png")) || receipt.Approver.User != "cb.sgd" {
		t.Errorf("receipt %+v", receipt)
	}
	// One byte changed: pdfsig and sohoa verify both refuse.
	bad := bytes.Clone(pdf)
	bad[len(bad)/3] ^= 0x01
	badPath := filepath.Join(dir, "changed.pdf")
	os.WriteFile(badPath, bad, 0o644)
	if out, _ := exec.Command("pdfsig", badPath).CombinedOutput(); strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig accepts a changed byte:\n%s", out)
	}
	if out, err := verify(badPath); err == nil {
		t.Errorf("sohoa verify accepts a changed PDF: %s", out)
	}
	badReceipt := []byte(recs[0].Receipt)
	badReceipt[len(badReceipt)/2] ^= 0x01
	os.WriteFile(receiptPath, badReceipt, 0o644)
	if out, err := verify(receiptPath); err == nil {
		t.Errorf("sohoa verify accepts a changed receipt: %s", out)
	}

	// The public verify page: valid, who and when, no personal data.
	page := s.do("GET", "/verify/"+approval.Code, "", nil, "")
	if page.Status != 200 || !strings.Contains(string(page.Body), "Bản sao hợp lệ") || strings.Contains(string(page.Body), "Tuấn") ||
		strings.Contains(string(page.Body), cccd) || !strings.Contains(string(page.Body), "Trường") && !strings.Contains(string(page.Body), "Đơn vị THA") {
		t.Errorf("verify page: %d\n%s", page.Status, page.Body)
	}
	verifyStatus := func(code string) string {
		var v struct{ Status, Reason string }
		s.do("GET", "/verify/"+code+"?format=json", "", nil, "").json(t, &v)
		return v.Status
	}
	if st := verifyStatus(approval.Code); st != "valid" {
		t.Fatalf("verify: %s", st)
	}

	// A correction supersedes the approved version and needs a reason.
	if r := s.do("PATCH", "/api/v1/documents/"+d.ID, clerk, strings.NewReader(`{"metadata":{"noi_sinh":"Cẩm Giàng, Hải Dương"}}`), "application/json"); r.Status != 400 {
		t.Errorf("correcting an approved record without a reason: %d %s", r.Status, r.Body)
	}
	if r := s.do("PATCH", "/api/v1/documents/"+d.ID, clerk, strings.NewReader(`{"metadata":{"noi_sinh":"Cẩm Giàng, Hải Dương"},"reason":"Bổ sung nơi sinh theo sổ gốc"}`), "application/json"); r.Status != 200 {
		t.Fatalf("correction: %d %s", r.Status, r.Body)
	}
	if _, recs := lookup(dvc, "subject_id="+cccd); len(recs) != 0 {
		t.Errorf("a superseded version is served as current: %+v", recs)
	}
	if st := verifyStatus(approval.Code); st != "superseded" {
		t.Errorf("verify after a correction: %s", st)
	}
	r = s.do("POST", "/api/v1/documents/"+d.ID+"/approve", official, nil, "")
	var v2 struct {
		Code    string
		Version int
	}
	r.json(t, &v2)
	if _, recs := lookup(dvc, "subject_id="+cccd); r.Status != 201 || v2.Version != 2 || len(recs) != 1 || recs[0].Version != 2 {
		t.Fatalf("second approval: %d %s; lookup %+v", r.Status, r.Body, recs)
	}

	// Revoked: the lookup stops returning it, the page says so.
	if r := s.do("POST", "/api/v1/documents/"+d.ID+"/revoke", official, strings.NewReader(`{}`), "application/json"); r.Status != 400 {
		t.Errorf("revoke without a reason: %d", r.Status)
	}
	if r := s.do("POST", "/api/v1/documents/"+d.ID+"/revoke", official, strings.NewReader(`{"reason":"Quyết định thu hồi văn bằng số 12/QĐ-SGDĐT"}`), "application/json"); r.Status != 200 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if _, recs := lookup(dvc, "subject_id="+cccd+"&type=van_bang"); len(recs) != 0 {
		t.Errorf("a revoked record is served: %+v", recs)
	}
	if r := s.do("GET", "/api/v1/verified/"+d.ID+"/signed.pdf"+fetch, dvc, nil, ""); r.Status != 404 {
		t.Errorf("a revoked record is fetched: %d", r.Status)
	}
	if st := verifyStatus(v2.Code); st != "revoked" {
		t.Errorf("verify after revocation: %s", st)
	}
	if page := s.do("GET", "/verify/"+v2.Code, "", nil, ""); !strings.Contains(string(page.Body), "thu hồi") {
		t.Errorf("verify page after revocation:\n%s", page.Body)
	}

	// The reuse ledger counts the one fetch.
	var reuse struct {
		Total    int
		ByClient map[string]int `json:"by_client"`
		Entries  []struct {
			CaseID    string `json:"case_id"`
			Procedure string
			Document  string
		}
	}
	s.do("GET", "/api/v1/reuse?from=2020-01-01", adminToken, nil, "").json(t, &reuse)
	if reuse.Total != 1 || reuse.ByClient["dvc"] != 1 || reuse.Entries[0].CaseID != "000.00.17.H23-261126-0001" ||
		reuse.Entries[0].Document != d.ID || reuse.Entries[0].Procedure != "1.005388" {
		t.Errorf("reuse ledger: %+v", reuse)
	}
	// The Department's official sees it; another school's official sees
	// nothing of a record out of its reach, not even that it was fetched.
	s.do("GET", "/api/v1/reuse?from=2020-01-01", official, nil, "").json(t, &reuse)
	if reuse.Total != 1 {
		t.Errorf("the Department's official: %d fetches", reuse.Total)
	}
	s.newUnit("THB", "SGD", "truong")
	elsewhere := s.newUser("cb.thb", "THB", "official")
	r = s.do("GET", "/api/v1/reuse?from=2020-01-01", elsewhere, nil, "")
	reuse.Total, reuse.Entries = 0, nil
	r.json(t, &reuse)
	if reuse.Total != 0 || len(reuse.Entries) != 0 || strings.Contains(string(r.Body), d.ID) {
		t.Errorf("another school's official reads the ledger of THA's record: %s", r.Body)
	}
	var audit struct {
		Entries []struct{ Action, Purpose, Username string }
	}
	s.do("GET", "/api/v1/audit?document="+d.ID, adminToken, nil, "").json(t, &audit)
	fetched := false
	for _, e := range audit.Entries {
		if e.Action == "verified.fetch" && e.Username == "dvc" && e.Purpose == "Tuyển dụng viên chức" {
			fetched = true
		}
	}
	if !fetched {
		t.Errorf("the fetch is not in the audit log: %+v", audit.Entries)
	}
}
