package main

import (
	"bytes"
	"crypto/md5"
	"crypto/rc4"
	"fmt"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sohoa/internal/pdftest"
)

// TestScannedPDF: a 10-page scanned PDF, some pages fed in sideways, goes
// from upload to a searchable, signed copy with its pages upright; the
// scans are taken out as they are.
func TestScannedPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	s := startServer(t, filepath.Join(dir, "data"))
	upright, sideways := fixture(t, "page-150dpi.jpg"), fixture(t, "sideways-150dpi.jpg")
	var pages []pdftest.Page
	for i := range 10 {
		if i%3 == 1 {
			pages = append(pages, pdftest.Page{JPEG: sideways, Width: 1754, Height: 1240, DPI: 150})
		} else {
			pages = append(pages, pdftest.Page{JPEG: upright, Width: 1240, Height: 1754, DPI: 150})
		}
	}
	r := s.upload(adminToken, part{field: "title", data: []byte("Hồ sơ quét 10 trang")}, part{"file", "hoso.pdf", pdftest.Make(pages)})
	if r.Status != 202 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var d document
	r.json(t, &d)
	if len(d.Pages) != 10 {
		t.Fatalf("%d pages, want 10", len(d.Pages))
	}
	for i, p := range d.Pages {
		want := upright
		if i%3 == 1 {
			want = sideways
		}
		if p.ContentType != "image/jpeg" || p.SHA256 != sha(want) || p.DPI != 150 {
			t.Errorf("page %d: %+v; want the scan as it is in the PDF", i+1, p)
		}
	}
	if d := s.waitDone(d.ID); d.Status != "ready" {
		t.Fatalf("%+v", d)
	}
	var full struct {
		Pages []struct{ Rotation int }
	}
	s.get("/api/v1/documents/"+d.ID).json(t, &full)
	text := string(s.get("/api/v1/documents/" + d.ID + "/text").Body)
	for i, p := range strings.Split(text, "\f") {
		want := 0
		if i%3 == 1 {
			want = 270
		}
		if full.Pages[i].Rotation != want || !strings.Contains(p, "Đỗ Thị Dung") {
			t.Errorf("page %d: rotation %d (want %d), text:\n%s", i+1, full.Pages[i].Rotation, want, p)
		}
	}
	if res := s.search("do thi dung"); res.Total != 1 || res.Hits[0].ID != d.ID {
		t.Errorf("search: %+v", res)
	}
	if r := s.do("POST", "/api/v1/documents/"+d.ID+"/approve", adminToken, nil, ""); r.Status != 201 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	pdf := s.get("/api/v1/documents/" + d.ID + "/signed.pdf").Body
	path := filepath.Join(dir, "signed.pdf")
	os.WriteFile(path, pdf, 0o644)
	if out, _ := exec.Command("pdfsig", path).CombinedOutput(); !strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig:\n%s", out)
	}
	info, _ := exec.Command("pdfinfo", "-f", "1", "-l", "10", path).Output()
	flat := strings.Join(strings.Fields(string(info)), " ")
	if !strings.Contains(flat, "Pages: 10") || !strings.Contains(flat, "Page 2 rot: 270") || !strings.Contains(flat, "Page 1 rot: 0") {
		t.Errorf("pdfinfo of the signed copy:\n%s", info)
	}
	if out, _ := exec.Command("pdftotext", "-f", "2", "-l", "2", path, "-").Output(); !strings.Contains(string(out), "Dung") {
		t.Errorf("the sideways page's text layer:\n%s", out)
	}
}

// TestPDFInputs: a born-digital PDF keeps its text layer (no OCR) unless
// the clerk asks; a damaged PDF ends failed with a reason; a PDF bomb is
// refused before anything is rendered.
func TestPDFInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	text := "SO GIAO DUC VA DAO TAO\nThong bao so 87/TB-SGDDT ve viec tiep nhan ho so\ncap ban sao van bang, chung chi tu so goc"
	born := pdftest.Make([]pdftest.Page{{Text: text, WPt: 595, HPt: 842}})
	r := s.upload(adminToken, part{"file", "thongbao.pdf", born})
	var d document
	r.json(t, &d)
	if r.Status != 202 {
		t.Fatalf("born-digital upload: %d %s", r.Status, r.Body)
	}
	s.waitDone(d.ID)
	if got := string(s.get("/api/v1/documents/" + d.ID + "/text").Body); !strings.Contains(got, "Thong bao so 87/TB-SGDDT ve viec tiep nhan ho so") {
		t.Errorf("text layer not kept:\n%s", got)
	}
	if n := len(s.logEvents("page recognised")); n != 0 {
		t.Errorf("a born-digital page was OCR'd (%d pages)", n)
	}
	r = s.upload(adminToken, part{field: "ocr", data: []byte("force")}, part{"file", "thongbao.pdf", born})
	r.json(t, &d)
	s.waitDone(d.ID)
	if n := len(s.logEvents("page recognised")); n != 1 {
		t.Errorf("ocr=force: %d pages OCR'd, want 1", n)
	}

	damaged := born[:len(born)/2]
	id := s.mustUploadBytes("PDF hỏng", part{"file", "hong.pdf", damaged})
	if d := s.waitDone(id); d.Status != "failed" || !strings.Contains(d.Error, "PDF bị hỏng") {
		t.Errorf("damaged PDF: %s %q", d.Status, d.Error)
	}

	many := make([]pdftest.Page, 2500)
	for i := range many {
		many[i] = pdftest.Page{Text: "x", WPt: 100, HPt: 100}
	}
	if r := s.upload(adminToken, part{"file", "bomb.pdf", pdftest.Make(many)}); r.Status != 413 || r.errorCode() != "too_large" {
		t.Errorf("2,500 pages: %d %s", r.Status, r.Body)
	}
	huge := pdftest.Make([]pdftest.Page{{Text: "x", WPt: 14400, HPt: 14400}}) // 200 inches square: 3.6 gigapixels at 300 dpi
	if r := s.upload(adminToken, part{"file", "huge.pdf", huge}); r.Status != 413 || r.errorCode() != "too_large" {
		t.Errorf("a gigapixel page: %d %s", r.Status, r.Body)
	}
	if r := s.do("GET", "/healthz", "", nil, ""); r.Status != 200 {
		t.Errorf("healthz: %d", r.Status)
	}

	// Two sheets scanned on both sides: their blank backs are flagged to
	// the clerk and not read; the fronts are.
	var back bytes.Buffer
	if err := jpeg.Encode(&back, pdftest.BlankBack(), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	front := fixture(t, "page-150dpi.jpg")
	var duplex []pdftest.Page
	for range 2 {
		duplex = append(duplex, pdftest.Page{JPEG: front, Width: 1240, Height: 1754, DPI: 150},
			pdftest.Page{JPEG: back.Bytes(), Width: 1240, Height: 1754, DPI: 150})
	}
	id = s.mustUploadBytes("Hồ sơ quét hai mặt", part{"file", "hai-mat.pdf", pdftest.Make(duplex)})
	if d := s.waitDone(id); d.Status != "ready" {
		t.Fatalf("duplex scan: %+v", d)
	}
	var full struct {
		Pages []struct{ Warnings []string }
	}
	s.get("/api/v1/documents/"+id).json(t, &full)
	pages := strings.Split(string(s.get("/api/v1/documents/"+id+"/text").Body), "\f")
	for i, p := range full.Pages {
		blank := slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "Trang trắng") })
		if blank != (i%2 == 1) || (i%2 == 0) != strings.Contains(pages[i], "Đỗ Thị Dung") {
			t.Errorf("page %d: warnings %q, text %q", i+1, p.Warnings, pages[i])
		}
	}
}

var pdfPadding = []byte("\x28\xBF\x4E\x5E\x4E\x75\x8A\x41\x64\x00\x4E\x56\xFF\xFA\x01\x08\x2E\x2E\x00\xB6\xD0\x68\x3E\x80\x2F\x0C\xA9\xFE\x64\x53\x69\x7A")

// encryptPDF marks a PDF encrypted with the standard security handler (RC4
// 40-bit, empty user password), as a PDF "protected" by an office suite is:
// readers open it, and must say it is encrypted.
func encryptPDF(pdf []byte) []byte {
	id := []byte("0123456789abcdef")
	ownerKey := md5.Sum(pdfPadding) // owner password "" too
	o := make([]byte, 32)
	c, _ := rc4.NewCipher(ownerKey[:5])
	c.XORKeyStream(o, pdfPadding)
	p := []byte{0xFC, 0xFF, 0xFF, 0xFF} // -4, little-endian
	h := md5.New()
	h.Write(pdfPadding)
	h.Write(o)
	h.Write(p)
	h.Write(id)
	key := h.Sum(nil)[:5]
	u := make([]byte, 32)
	c, _ = rc4.NewCipher(key)
	c.XORKeyStream(u, pdfPadding)
	enc := fmt.Sprintf(" /Encrypt << /Filter /Standard /V 1 /R 2 /O <%X> /U <%X> /P -4 >> /ID [<%X> <%X>] >>", o, u, id, id)
	i := bytes.LastIndex(pdf, []byte(" >>\nstartxref"))
	return append(append(append([]byte{}, pdf[:i]...), enc...), pdf[i+3:]...)
}

// TestEncryptedAndActivePDFs: an encrypted PDF ends failed saying so; a
// PDF with JavaScript, a form and an embedded file is read from its page
// images only.
func TestEncryptedAndActivePDFs(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	scan := []pdftest.Page{{JPEG: fixture(t, "page-150dpi.jpg"), Width: 1240, Height: 1754, DPI: 150}}
	encrypted := encryptPDF(pdftest.Make(scan))
	if d := os.Getenv("SOHOA_KEEP_PDF"); d != "" {
		os.WriteFile(filepath.Join(d, "encrypted.pdf"), encrypted, 0o644)
	}
	id := s.mustUploadBytes("PDF mã hóa", part{"file", "matkhau.pdf", encrypted})
	if d := s.waitDone(id); d.Status != "failed" || !strings.Contains(d.Error, "được mã hóa (đặt mật khẩu)") {
		t.Errorf("encrypted PDF: %s %q", d.Status, d.Error)
	}
	active := pdftest.MakeWith(scan, `/OpenAction << /S /JavaScript /JS (app.alert\(1\)) >> /AcroForm << /Fields [] >> /Names << /EmbeddedFiles << /Names [] >> >>`)
	id = s.mustUploadBytes("PDF có JavaScript", part{"file", "js.pdf", active})
	if d := s.waitDone(id); d.Status != "ready" || len(d.Pages) != 1 || d.Pages[0].SHA256 != sha(fixture(t, "page-150dpi.jpg")) {
		t.Errorf("PDF with JavaScript and a form: %+v", d)
	}
	if text := s.get("/api/v1/documents/" + id + "/text"); !strings.Contains(string(text.Body), "Đỗ Thị Dung") {
		t.Errorf("its page was not read:\n%s", text.Body)
	}
}
