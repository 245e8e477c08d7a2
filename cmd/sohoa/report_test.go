package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sohoa"
)

type reportTotals struct {
	Documents        int `json:"documents"`
	Pages            int `json:"pages"`
	PagesBelow200DPI int `json:"pages_below_200dpi"`
	FieldsProposed   int `json:"fields_proposed"`
	FieldsCorrected  int `json:"fields_corrected"`
	Approved         int `json:"approved"`
	Revoked          int `json:"revoked"`
	Queued           int `json:"queued"`
	Failed           int `json:"failed"`
	WaitingReview    int `json:"waiting_review"`
	WaitingApproval  int `json:"waiting_approval"`
	UploadToReady    struct {
		N      int     `json:"n"`
		Median float64 `json:"median_seconds"`
	} `json:"upload_to_ready"`
}

type monthlyReport struct {
	Month  string       `json:"month"`
	UnitID string       `json:"unit_id"`
	Totals reportTotals `json:"totals"`
	Units  []struct {
		UnitID string       `json:"unit_id"`
		Depth  int          `json:"depth"`
		Totals reportTotals `json:"totals"`
	} `json:"units"`
	Types []struct {
		Type   string       `json:"type"`
		Totals reportTotals `json:"totals"`
	} `json:"types"`
	Definitions []struct{ Field, Text string } `json:"definitions"`
}

func (r *monthlyReport) unit(id string) reportTotals {
	for _, u := range r.Units {
		if u.UnitID == id {
			return u.Totals
		}
	}
	return reportTotals{Documents: -1}
}

// TestMonthlyReport: the month's numbers per unit with the tree's
// subtotals, per type, each defined; officials see their subtree only; the
// CSV is the same numbers; a rebuild from the store gives the same report.
func TestMonthlyReport(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data)
	s.newUnit("PGD-X", "SGD", "phong")
	s.newUnit("THPT-R1", "PGD-X", "truong")
	s.newUnit("THPT-R2", "PGD-X", "truong")
	clerk1, clerk2 := s.newUser("vt.r1", "THPT-R1", "clerk"), s.newUser("vt.r2", "THPT-R2", "clerk")
	official := s.newUser("ld.pgd", "PGD-X", "official")
	official1 := s.newUser("ld.r1", "THPT-R1", "official")

	up := func(token, title, file string) string {
		r := s.upload(token, part{field: "title", data: []byte(title)}, part{"file", filepath.Base(file), fixture(t, file)})
		var d document
		r.json(t, &d)
		if r.Status != 202 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		return d.ID
	}
	a := up(clerk1, "Thông báo", "pages/d1-thongbao.png")
	b := up(clerk1, "Trang chụp 150 dpi", "page-150dpi.jpg")
	c := up(clerk2, "Báo cáo", "pages/d2-baocao.png")
	for _, id := range []string{a, b, c} {
		s.waitDone(id)
	}
	// A clerk confirms a's record, correcting one proposed field; an
	// official approves it.
	var da struct {
		Proposed map[string]struct{ Value any } `json:"proposed"`
	}
	s.get("/api/v1/documents/"+a).json(t, &da)
	if len(da.Proposed) == 0 {
		t.Fatalf("no fields proposed on %s", a)
	}
	if r := s.do("POST", "/api/v1/documents/"+a+"/accept", clerk1, strings.NewReader(`{}`), "application/json"); r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	if r := s.do("PATCH", "/api/v1/documents/"+a, clerk1, strings.NewReader(`{"metadata":{"so":"9999"}}`), "application/json"); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/api/v1/documents/"+a+"/approve", official, nil, ""); r.Status != 201 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}

	month := time.Now().In(sohoa.Vietnam).Format("2006-01")
	// The month before's report was made when the service started (its
	// day, the 1st, has come) and kept in the store.
	now := time.Now().In(sohoa.Vietnam)
	before := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, sohoa.Vietnam).AddDate(0, -1, 0).Format("2006-01")
	var kept monthlyReport
	if b, err := os.ReadFile(filepath.Join(data, "store", "reports", "monthly", before, "SGD.json")); err != nil || json.Unmarshal(b, &kept) != nil || kept.Month != before || kept.UnitID != "SGD" {
		t.Errorf("the month before's report kept in the store: %v %+v", err, kept)
	}
	get := func(token, query string) (int, monthlyReport, string) {
		r := s.do("GET", "/api/v1/reports/monthly?"+query, token, nil, "")
		var rep monthlyReport
		if r.Status == 200 && !strings.Contains(query, "csv") {
			r.json(t, &rep)
		}
		return r.Status, rep, string(r.Body)
	}
	status, rep, body := get(adminToken, "month="+month)
	if status != 200 {
		t.Fatalf("report: %d %s", status, body)
	}
	if rep.Totals.Documents != 3 || rep.Totals.Pages != 3 || rep.Totals.PagesBelow200DPI != 1 || rep.Totals.Approved != 1 {
		t.Errorf("totals: %+v", rep.Totals)
	}
	if rep.Totals.FieldsProposed < 3 || rep.Totals.FieldsCorrected != 1 {
		t.Errorf("fields proposed %d, corrected %d (one corrected)", rep.Totals.FieldsProposed, rep.Totals.FieldsCorrected)
	}
	if rep.Totals.WaitingReview != 2 || rep.Totals.WaitingApproval != 0 || rep.Totals.Queued != 0 {
		t.Errorf("backlog: %+v", rep.Totals)
	}
	if rep.Totals.UploadToReady.N != 3 || rep.Totals.UploadToReady.Median <= 0 {
		t.Errorf("upload to ready: %+v", rep.Totals.UploadToReady)
	}
	// The tree's subtotals: the office holds both schools.
	if r1, r2, pgd := rep.unit("THPT-R1"), rep.unit("THPT-R2"), rep.unit("PGD-X"); r1.Documents != 2 || r2.Documents != 1 || pgd.Documents != 3 || pgd.Pages != r1.Pages+r2.Pages {
		t.Errorf("units: R1 %+v, R2 %+v, PGD %+v", r1, r2, pgd)
	}
	if len(rep.Definitions) < 10 || rep.Definitions[0].Text == "" {
		t.Errorf("definitions: %+v", rep.Definitions)
	}

	// Reach: a school's official sees the school; another school is not
	// there for them; a clerk does not read reports.
	if status, rep, _ := get(official1, "month="+month); status != 200 || rep.UnitID != "THPT-R1" || rep.Totals.Documents != 2 || len(rep.Units) != 1 {
		t.Errorf("a school's official: %d %+v", status, rep)
	}
	if status, _, body := get(official1, "month="+month+"&unit=THPT-R2"); status != 404 || strings.Contains(body, "Trang chụp") {
		t.Errorf("another school's report: %d %s", status, body)
	}
	if status, _, _ := get(clerk1, "month="+month); status != 403 {
		t.Errorf("a clerk's report: %d", status)
	}
	if status, _, body := get(official, "month=2026-13"); status != 400 || !strings.Contains(body, "YYYY-MM") {
		t.Errorf("month 13: %d %s", status, body)
	}

	// The CSV holds the same numbers.
	_, _, body = get(official, "month="+month+"&format=csv")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		// rows of different lengths are allowed here
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		cr.FieldsPerRecord = -1
		recs, err = cr.ReadAll()
	}
	if err != nil || len(recs) < 4 || recs[1][2] != "Hồ sơ số hóa" || recs[2][0] != "PGD-X" || recs[2][2] != "3" {
		t.Errorf("CSV: %v\n%s", err, body)
	}

	// The báo cáo, signed with the Department's key by the office's
	// official: its signature holds, its words are there to copy.
	sign := `{"month":"` + month + `","parent":"UBND TỈNH HẢI DƯƠNG","body":"PHÒNG GIÁO DỤC VÀ ĐÀO TẠO X","number":"Số: 15/BC-PGDĐT","place":"Hải Dương",
		"authority":"KT. TRƯỞNG PHÒNG","title":"PHÓ TRƯỞNG PHÒNG","signer":"Nguyễn Thị Lan","recipients":["UBND tỉnh (để b/c)","Lưu: VT."]}`
	r := s.do("POST", "/api/v1/reports/monthly/pdf", official, strings.NewReader(sign), "application/json")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the signed report: %d %s", r.Status, r.Body)
	}
	pdf := filepath.Join(t.TempDir(), "bao-cao.pdf")
	os.WriteFile(pdf, r.Body, 0o644)
	if out, err := exec.Command("pdfsig", pdf).CombinedOutput(); err != nil || !strings.Contains(string(out), "Signature Validation: Signature is Valid") {
		t.Errorf("pdfsig: %v\n%s", err, out)
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 15/BC-PGDĐT", "BÁO CÁO", "Kết quả số hóa hồ sơ tháng", "Nơi nhận", "Nguyễn Thị Lan", "THPT-R1"} {
		if err != nil || !strings.Contains(string(text), want) && !(want == "THPT-R1" && strings.Contains(string(text), "Đơn vị THPT-R1")) {
			t.Errorf("the report's text has no %q: %v\n%s", want, err, text)
		}
	}
	if r := s.do("POST", "/api/v1/reports/monthly/pdf", official, strings.NewReader(`{"month":"`+month+`"}`), "application/json"); r.Status != 400 || !strings.Contains(string(r.Body), "người ký") {
		t.Errorf("unsigned: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/api/v1/reports/monthly/pdf", official, strings.NewReader(`{"month":"`+month+`","title":"X","signer":"`+strings.Repeat("A", 5000)+`"}`), "application/json"); r.Status != 400 {
		t.Errorf("a signer's name of 5,000 letters: %d", r.Status)
	}
	if r := s.do("POST", "/api/v1/reports/monthly/pdf", clerk1, strings.NewReader(sign), "application/json"); r.Status != 403 {
		t.Errorf("a clerk signs a report: %d", r.Status)
	}

	// Made again from the store alone: the same month's numbers.
	made := rep
	s.stop()
	for _, p := range []string{"catalog.db", "catalog.db-wal", "catalog.db-shm", "index"} {
		os.RemoveAll(filepath.Join(data, p))
	}
	cmd := exec.Command(sohoaBin, "rebuild")
	cmd.Env = append(os.Environ(), "SOHOA_DATA="+data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	cmd = exec.Command(sohoaBin, "report", "-month", month)
	cmd.Env = append(os.Environ(), "SOHOA_DATA="+data)
	out, err := cmd.Output()
	var after monthlyReport
	if err != nil || json.Unmarshal(out, &after) != nil {
		t.Fatalf("sohoa report: %v\n%s", err, out)
	}
	b1, _ := json.Marshal(made.Units)
	b2, _ := json.Marshal(after.Units)
	if string(b1) != string(b2) || made.Totals != after.Totals {
		t.Errorf("after a rebuild:\nbefore %s\nafter  %s", b1, b2)
	}
}
