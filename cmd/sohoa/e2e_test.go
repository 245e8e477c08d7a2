package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sohoa/store"
	"sohoa/store/s3"
	"sohoa/store/s3/miniotest"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestScansInSearchOut is the newcomer's path on the embedded defaults:
// upload scans, wait for OCR, read them back, find them.
func TestScansInSearchOut(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	// Debug logs every request: still no personal data may show.
	s := startServer(t, filepath.Join(t.TempDir(), "data"), "SOHOA_LOG_LEVEL=debug")
	if r := s.do("GET", "/healthz", "", nil, ""); r.Status != http.StatusOK {
		t.Fatalf("healthz: %d %s", r.Status, r.Body)
	}
	tuan := s.mustUpload("Bằng tốt nghiệp THPT", "pages/d3-bang-tuan.png")
	// A TIFF of two pages and a 150 dpi JPEG in one document: three pages.
	mixed := s.mustUpload("Hồ sơ nhiều trang", "two-pages.tif", "page-150dpi.jpg")
	notice := s.mustUpload("", "pages/d1-thongbao.png")

	d := s.waitDone(tuan.ID)
	if d.Status != "ready" || len(d.Pages) != 1 {
		t.Fatalf("diploma: %+v", d)
	}
	p := d.Pages[0]
	if p.Number != 1 || p.SHA256 != sha(fixture(t, "pages/d3-bang-tuan.png")) || p.Width != 2480 || p.Height != 3508 ||
		p.ContentType != "image/png" || p.OCRConfidence == nil || *p.OCRConfidence < 60 {
		t.Fatalf("diploma page: %+v", p)
	}
	if d.Title != "Bằng tốt nghiệp THPT" || d.CreatedAt == "" {
		t.Fatalf("diploma: title %q created %q", d.Title, d.CreatedAt)
	}

	m := s.waitDone(mixed.ID)
	if m.Status != "ready" || len(m.Pages) != 3 {
		t.Fatalf("mixed document: %+v", m)
	}
	if m.Pages[0].ContentType != "image/tiff" || m.Pages[0].DPI != 200 || m.Pages[2].ContentType != "image/jpeg" || m.Pages[2].DPI != 150 {
		t.Fatalf("mixed pages: %+v", m.Pages)
	}
	var raw struct {
		Pages []struct {
			Warnings []string
			Rotation int
		}
	}
	s.get("/api/v1/documents/"+mixed.ID).json(t, &raw)
	if len(raw.Pages[2].Warnings) != 1 || !strings.Contains(raw.Pages[2].Warnings[0], "150 dpi") || len(raw.Pages[0].Warnings) != 0 {
		t.Errorf("a 150 dpi page is not flagged to the clerk: %+v", raw.Pages)
	}
	text := s.get("/api/v1/documents/" + mixed.ID + "/text")
	if text.Status != 200 || text.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("text: %d %s", text.Status, text.Header)
	}
	pages := strings.Split(string(text.Body), "\f")
	if len(pages) != 3 || !strings.Contains(pages[0], "Tuấn") || !strings.Contains(pages[1], "Dung") || !strings.Contains(pages[2], "Dung") {
		t.Fatalf("text of the mixed document, %d pages:\n%s", len(pages), text.Body)
	}
	pt := s.get("/api/v1/documents/" + mixed.ID + "/pages/2/text")
	if pt.Status != 200 || string(pt.Body) != pages[1] {
		t.Fatalf("page 2 text: %d %q", pt.Status, pt.Body)
	}
	// Page images: the original bytes, with their type; a TIFF page is a
	// single-page TIFF cut from the upload.
	img := s.get("/api/v1/documents/" + tuan.ID + "/pages/1/image")
	if img.Status != 200 || img.Header.Get("Content-Type") != "image/png" || !bytes.Equal(img.Body, fixture(t, "pages/d3-bang-tuan.png")) {
		t.Fatalf("page image: %d %s, %d bytes", img.Status, img.Header.Get("Content-Type"), len(img.Body))
	}
	img = s.get("/api/v1/documents/" + mixed.ID + "/pages/3/image")
	if !bytes.Equal(img.Body, fixture(t, "page-150dpi.jpg")) || img.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatal("page 3 image is not the uploaded JPEG")
	}
	img = s.get("/api/v1/documents/" + mixed.ID + "/pages/2/image")
	if img.Status != 200 || img.Header.Get("Content-Type") != "image/tiff" || sha(img.Body) != m.Pages[1].SHA256 {
		t.Fatalf("page 2 image: %d, sha %s want %s", img.Status, sha(img.Body), m.Pages[1].SHA256)
	}
	if r := s.get("/api/v1/documents/" + mixed.ID + "/pages/4/image"); r.Status != 404 || r.errorCode() != "not_found" {
		t.Fatalf("page 4 of 3: %d %s", r.Status, r.Body)
	}
	if r := s.get("/api/v1/documents/01ZZZZZZZZZZZZZZZZZZZZZZZZ"); r.Status != 404 {
		t.Fatalf("unknown id: %d", r.Status)
	}

	n := s.waitDone(notice.ID)
	if n.Title != "d1-thongbao" {
		t.Fatalf("untitled upload got title %q, want its file name", n.Title)
	}
	// Its header and signature block read a column at a time, left before
	// right, in its text and in the signed copy's text layer (copied out
	// in the order it was written, pdftotext -raw).
	inOrder := []string{"UBND TỈNH HẢI DƯƠNG SỞ GIÁO DỤC VÀ ĐÀO TẠO Số: 87/TB-SGDĐT CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Nơi nhận: - Các đơn vị trực thuộc;", "GIÁM ĐỐC Vũ Đình Khang"}
	if r := s.do("POST", "/api/v1/documents/"+notice.ID+"/approve", adminToken, nil, ""); r.Status != 201 {
		t.Fatalf("approve the notice: %d %s", r.Status, r.Body)
	}
	pdfPath := filepath.Join(t.TempDir(), "notice.pdf")
	os.WriteFile(pdfPath, s.get("/api/v1/documents/"+notice.ID+"/signed.pdf").Body, 0o644)
	layer, err := exec.Command("pdftotext", "-raw", pdfPath, "-").Output()
	for name, text := range map[string]string{"text": string(s.get("/api/v1/documents/" + notice.ID + "/pages/1/text").Body), "PDF text layer": string(layer)} {
		flat := strings.Join(strings.Fields(text), " ")
		for _, want := range inOrder {
			if !strings.Contains(flat, want) {
				t.Errorf("the notice's %s (%v) lacks %q in reading order:\n%s", name, err, want, text)
			}
		}
	}

	// Search, as an official types it.
	tests := []struct{ q, want string }{
		{"le quang tuan", tuan.ID},
		{"Lê Quang Tuấn", tuan.ID},
		{"do thi dung", mixed.ID},
		{"87/TB-SGDĐT", notice.ID},
		{"B 0174420", tuan.ID},
		{"0415/THPT/2022", tuan.ID},
		{"ban sao van bang", notice.ID},
	}
	for _, tt := range tests {
		res := s.search(tt.q)
		if len(res.Hits) == 0 || res.Hits[0].ID != tt.want {
			t.Errorf("search %q: %+v, want %s first", tt.q, res, tt.want)
		}
	}
	res := s.search("do thi dung")
	if res.Total != 1 || res.Hits[0].Page != 2 || !strings.Contains(res.Hits[0].Snippet, "<mark>Đỗ</mark> <mark>Thị</mark> <mark>Dung</mark>") {
		t.Errorf("search do thi dung: %+v, want one hit at page 2 with Đỗ Thị Dung marked", res)
	}
	if r := s.get("/api/v1/search?q="); r.Status != 400 || r.errorCode() != "invalid" {
		t.Errorf("empty query: %d %s", r.Status, r.Body)
	}

	// A page fed in sideways is turned upright before it is read; its image
	// stays as scanned.
	side := s.mustUpload("Trang quét ngược", "sideways-150dpi.jpg")
	s.get("/api/v1/documents/"+side.ID).json(t, &raw)
	if d := s.waitDone(side.ID); d.Status != "ready" {
		t.Fatalf("sideways page: %+v", d)
	}
	s.get("/api/v1/documents/"+side.ID).json(t, &raw)
	if raw.Pages[0].Rotation != 270 {
		t.Errorf("sideways page turned %d°, want 270° clockwise", raw.Pages[0].Rotation)
	}
	if text := s.get("/api/v1/documents/" + side.ID + "/text"); !strings.Contains(string(text.Body), "Đỗ Thị Dung") {
		t.Errorf("sideways page read as:\n%s", text.Body)
	}
	// Listing: newest first, in pages.
	var ids []string
	cursor := ""
	for range 6 {
		var page struct {
			Documents  []document `json:"documents"`
			NextCursor string     `json:"next_cursor"`
		}
		s.get("/api/v1/documents?limit=2&cursor="+cursor).json(t, &page)
		for _, d := range page.Documents {
			ids = append(ids, d.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{side.ID, notice.ID, mixed.ID, tuan.ID}; !slices.Equal(ids, want) {
		t.Errorf("listing %v, want %v", ids, want)
	}
	var ready struct{ Documents []document }
	s.get("/api/v1/documents?status=failed").json(t, &ready)
	if len(ready.Documents) != 0 {
		t.Errorf("failed documents: %+v", ready.Documents)
	}
	if r := s.get("/api/v1/openapi.yaml"); r.Status != 200 || !bytes.Contains(r.Body, []byte("/api/v1/search")) {
		t.Errorf("openapi.yaml: %d", r.Status)
	}

	// Names were uploaded (in a file name), read and searched for: none of
	// it is in the log, nor the admin token.
	log, _ := os.ReadFile(s.logPath)
	if len(s.logEvents("request")) < 10 {
		t.Fatalf("debug log has %d request records", len(s.logEvents("request")))
	}
	for _, secret := range []string{"Tuấn", "tuan", "Dung", "dung", "0174420", "12/04/2004", adminToken} {
		if bytes.Contains(log, []byte(secret)) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// pngHeader makes a PNG whose header declares w×h pixels, with no image
// data worth the name: a decompression bomb's calling card.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit grey
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// TestBadInput: every kind of bad input gets its clear answer, and the
// service goes on.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"), "SOHOA_MAX_UPLOAD=3MiB", "SOHOA_OCR_WORKERS=2")
	png := fixture(t, "pages/d4-bang-dung.png")
	jpg := fixture(t, "page-150dpi.jpg")

	// Corrupt and good documents together: the corrupt one fails with a
	// reason, the good one is read.
	truncated := s.mustUploadBytes("Ảnh bị cắt", part{"file", "cut.png", png[:len(png)/2]})
	flipped := bytes.Clone(png)
	flipped[len(flipped)/2] ^= 0xFF
	corrupt := s.mustUploadBytes("Ảnh hỏng", part{"file", "x.png", flipped})
	cutJPEG := s.mustUploadBytes("JPEG bị cắt", part{"file", "cut.jpg", jpg[:len(jpg)*2/3]})
	good := s.mustUploadBytes("Ảnh tốt", part{"file", "good.png", png})
	// A JPEG named .png is a JPEG: the bytes decide.
	misnamed := s.mustUploadBytes("Tên sai", part{"file", "scan.png", jpg})

	tests := []struct {
		name   string
		token  string
		parts  []part
		status int
		code   string
	}{
		{"text named png", adminToken, []part{{"file", "scan.png", []byte("Họ và tên: Nguyễn Văn An")}}, 415, "unsupported_media_type"},
		{"word document", adminToken, []part{{"file", "scan.pdf", makeZip(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>")}, "[Content_Types].xml")}}, 415, "unsupported_media_type"},
		{"one bad file among good ones", adminToken, []part{{"file", "a.png", png}, {"file", "b.gif", []byte("GIF89a....")}}, 415, "unsupported_media_type"},
		{"no file", adminToken, []part{{field: "title", data: []byte("Không có tệp")}}, 400, "invalid"},
		{"empty file", adminToken, []part{{"file", "empty.png", nil}}, 400, "invalid"},
		{"decompression bomb", adminToken, []part{{"file", "bomb.png", pngHeader(100000, 100000)}}, 413, "too_large"},
		{"no token", "", []part{{"file", "a.png", png}}, 401, "unauthorized"},
		{"wrong token", "sohoa_not-a-real-token-000000", []part{{"file", "a.png", png}}, 401, "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.upload(tt.token, tt.parts...)
			if r.Status != tt.status || r.errorCode() != tt.code {
				t.Fatalf("%d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
			var e struct{ Error struct{ Message string } }
			r.json(t, &e)
			if e.Error.Message == "" {
				t.Fatal("no message for the clerk")
			}
		})
	}
	t.Run("not multipart", func(t *testing.T) {
		r := s.do("POST", "/api/v1/documents", adminToken, bytes.NewReader(png), "image/png")
		if r.Status != 400 || r.errorCode() != "invalid" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("over the size limit, declared", func(t *testing.T) {
		big := bytes.Repeat(png, 30) // ~3.4 MiB against a 3 MiB limit
		r := s.upload(adminToken, part{"file", "big.png", big})
		if r.Status != 413 || r.errorCode() != "too_large" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("over the size limit, streamed", func(t *testing.T) {
		// No Content-Length: the server must stop reading at the limit.
		body, ct := multipartBody(t, part{"file", "big.png", bytes.Repeat(png, 30)})
		pr, pw := io.Pipe()
		go func() { io.Copy(pw, body); pw.Close() }()
		r := s.do("POST", "/api/v1/documents", adminToken, pr, ct)
		if r.Status != 413 || r.errorCode() != "too_large" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})

	for _, id := range []string{truncated, corrupt, cutJPEG} {
		d := s.waitDone(id)
		if d.Status != "failed" || !strings.Contains(d.Error, "Trang 1") {
			t.Errorf("%s: status %s, error %q; want failed naming page 1", d.Title, d.Status, d.Error)
		}
		if r := s.get("/api/v1/documents/" + id + "/text"); r.Status != 409 || r.errorCode() != "conflict" {
			t.Errorf("text of a failed document: %d %s", r.Status, r.Body)
		}
	}
	if d := s.waitDone(good); d.Status != "ready" {
		t.Errorf("the good document beside the bad ones: %+v", d)
	}
	if d := s.waitDone(misnamed); d.Status != "ready" || d.Pages[0].ContentType != "image/jpeg" {
		t.Errorf("a JPEG named .png: %+v", d)
	}

	// Roles: a clerk uploads but does not delete; an admin deletes.
	tok := struct{ Token string }{s.newUser("vanthu", "SGD", "clerk")}
	if r := s.upload(tok.Token, part{"file", "a.png", png}); r.Status != 202 {
		t.Errorf("clerk upload: %d %s", r.Status, r.Body)
	}
	if r := s.do("DELETE", "/api/v1/documents/"+good, tok.Token, nil, ""); r.Status != 403 || r.errorCode() != "forbidden" {
		t.Errorf("clerk delete: %d %s", r.Status, r.Body)
	}
	if n := s.search("do thi dung").Total; n < 1 {
		t.Fatalf("search before delete: %d hits", n)
	}
	if r := s.do("DELETE", "/api/v1/documents/"+good, adminToken, nil, ""); r.Status != 204 {
		t.Fatalf("admin delete: %d %s", r.Status, r.Body)
	}
	if r := s.get("/api/v1/documents/" + good); r.Status != 404 {
		t.Errorf("deleted document: %d", r.Status)
	}
	for _, h := range s.search("do thi dung").Hits {
		if h.ID == good {
			t.Errorf("deleted document still found")
		}
	}
	manifest, err := os.ReadFile(filepath.Join(s.data, "store", store.ManifestKey(good)))
	if err != nil || !bytes.Contains(manifest, []byte(`"deleted"`)) {
		t.Errorf("the store lost the manifest or kept no tombstone: %v\n%s", err, manifest)
	}
	// And the service is still up.
	if r := s.do("GET", "/healthz", "", nil, ""); r.Status != 200 {
		t.Fatalf("healthz after bad input: %d", r.Status)
	}
}

func (s *server) mustUploadBytes(title string, parts ...part) string {
	s.t.Helper()
	r := s.upload(adminToken, append([]part{{field: "title", data: []byte(title)}}, parts...)...)
	if r.Status != http.StatusAccepted {
		s.t.Fatalf("upload %q: %d %s", title, r.Status, r.Body)
	}
	var d document
	r.json(s.t, &d)
	return d.ID
}

// TestKillMidOCR kills the server with SIGKILL while it reads pages and
// starts it again: every accepted document ends ready, no page is read twice
// and no document indexed twice.
func TestKillMidOCR(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data, "SOHOA_OCR_WORKERS=1")
	var ids []string
	files := []string{"pages/d1-thongbao.png", "pages/d2-baocao.png", "two-pages.tif", "pages/d3-bang-tuan.png", "pages/d5-sogoc.png", "page-150dpi.jpg"}
	for i, f := range files {
		ids = append(ids, s.mustUpload(fmt.Sprintf("Văn bản %d", i+1), f).ID)
	}
	deadline := time.Now().Add(2 * time.Minute)
	// One worker reads in upload order: the notice, the report, then the
	// TIFF's two pages. Kill while its second page is read.
	for len(s.logEvents("page recognised")) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("three pages not recognised within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A page takes 0.2 s or more here: 50 ms later the next one is being read.
	time.Sleep(50 * time.Millisecond)
	s.kill()
	before := len(s.logEvents("page recognised"))
	// Prove the kill fell in the middle of a document: processing, one
	// page read and one not.
	var m struct {
		Status string
		Pages  []struct{ Number int }
	}
	b, _ := os.ReadFile(filepath.Join(data, "store", store.ManifestKey(ids[2])))
	json.Unmarshal(b, &m)
	_, err1 := os.Stat(filepath.Join(data, "store", store.PageOCRKey(ids[2], 1)))
	_, err2 := os.Stat(filepath.Join(data, "store", store.PageOCRKey(ids[2], 2)))
	if m.Status != "processing" || err1 != nil || err2 == nil {
		t.Fatalf("the kill did not fall between the TIFF's pages: status %q, page 1 read: %v, page 2 read: %v", m.Status, err1 == nil, err2 == nil)
	}

	t.Logf("killed after %d of 7 pages", before)
	s2 := startServer(t, data, "SOHOA_OCR_WORKERS=2")
	for _, id := range ids {
		if d := s2.waitDone(id); d.Status != "ready" {
			t.Fatalf("%s after the crash: %+v", id, d)
		}
	}
	if len(s2.logEvents("resuming jobs interrupted by a stop")) != 1 {
		t.Error("the restarted server did not say it resumed interrupted jobs")
	}
	pages := map[string]int{}
	indexed := map[string]int{}
	for _, srv := range []*server{s, s2} {
		for _, e := range srv.logEvents("page recognised") {
			pages[fmt.Sprintf("%v/%v", e["document"], e["page"])]++
		}
		for _, e := range srv.logEvents("document indexed") {
			indexed[fmt.Sprint(e["document"])]++
		}
	}
	for k, n := range pages {
		if n > 1 {
			t.Errorf("page %s recognised %d times", k, n)
		}
	}
	if len(pages) < 6 {
		t.Errorf("%d pages recognised across both runs, want at least 6 of 7", len(pages))
	}
	for _, id := range ids {
		if indexed[id] != 1 {
			t.Errorf("document %s indexed %d times", id, indexed[id])
		}
	}
	var list struct{ Documents []document }
	s2.get("/api/v1/documents?limit=100").json(t, &list)
	if len(list.Documents) != len(ids) {
		t.Errorf("%d documents listed, want %d", len(list.Documents), len(ids))
	}
	if res := s2.search("le quang tuan"); len(res.Hits) != 2 {
		// d3 and the TIFF's first page are both Lê Quang Tuấn's diploma.
		t.Errorf("search after the crash: %+v", res)
	}
}

// TestS3StoreAndRebuild runs the service on a real MinIO server, then
// deletes the catalog and the index and rebuilds them from the bucket alone.
func TestS3StoreAndRebuild(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	minio := miniotest.Start(t)
	env := s3Env(minio, "sohoa-records")
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data, env...)
	tuan := s.mustUpload("Bằng tốt nghiệp Lê Quang Tuấn", "pages/d3-bang-tuan.png")
	dung := s.mustUpload("Bằng tốt nghiệp", "pages/d4-bang-dung.png")
	register := s.mustUpload("Sổ gốc 2019", "pages/d5-sogoc.png", "pages/d2-baocao.png")
	gone := s.mustUpload("Bản trùng", "pages/d1-thongbao.png")
	for _, id := range []string{tuan.ID, dung.ID, register.ID, gone.ID} {
		if d := s.waitDone(id); d.Status != "ready" {
			t.Fatalf("%s: %+v", id, d)
		}
	}
	if r := s.do("DELETE", "/api/v1/documents/"+gone.ID, adminToken, nil, ""); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	// A record's fields, a unit and a user live in the store too.
	s.newUnit("THA", "SGD", "truong")
	clerk := s.newUser("vt.tha", "THA", "clerk")
	meta := `{"type":"van_bang","metadata":{"ho_ten":"Đỗ Thị Dung","so_hieu":"B 0190315","nam_tot_nghiep":"2023","so_dinh_danh":"030305001234","ngay_sinh":"2005-12-02"}}`
	if r := s.do("PATCH", "/api/v1/documents/"+dung.ID, adminToken, strings.NewReader(meta), "application/json"); r.Status != 200 {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	// An approved copy, signed with pages read from the bucket.
	var approval struct{ Code string }
	r := s.do("POST", "/api/v1/documents/"+dung.ID+"/approve", adminToken, nil, "")
	r.json(t, &approval)
	if r.Status != 201 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}

	// The originals are in the bucket under their digests.
	bucket, err := s3.Open(context.Background(), minio.Config("sohoa-records"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := bucket.Stat(context.Background(), store.OriginalKey(sha(fixture(t, "pages/d3-bang-tuan.png"))))
	if err != nil || info.Size != int64(len(fixture(t, "pages/d3-bang-tuan.png"))) {
		t.Fatalf("original in the bucket: %+v, %v", info, err)
	}
	if _, err := os.Stat(filepath.Join(data, "store")); !os.IsNotExist(err) {
		t.Fatalf("the s3 configuration wrote a local store: %v", err)
	}

	queries := []string{"q=le+quang+tuan", "q=do+thi+dung", "q=Đoàn+Minh+Khôi", "q=0303/THPT/2019", "q=so+hoa+ho+so+hoc+sinh",
		"q=Tuấn", "q=giay+khai+sinh", "so_hieu=B+0190315", "subject_id=030305001234", "type=van_bang&from=2023-01-01"}
	answers := func(s *server) string {
		var b strings.Builder
		for _, q := range queries {
			var res searchResult
			s.get("/api/v1/search?"+q).json(t, &res)
			fmt.Fprintf(&b, "%s: %d", q, res.Total)
			for _, h := range res.Hits {
				fmt.Fprintf(&b, " [%s p%d %q %s]", h.ID, h.Page, h.Title, h.Snippet)
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	before := answers(s)
	if !strings.Contains(before, register.ID+" p1") || !strings.Contains(before, register.ID+" p2") || strings.Contains(before, gone.ID) ||
		!strings.Contains(before, "so_hieu=B+0190315: 1 ["+dung.ID) {
		t.Fatalf("search before the rebuild:\n%s", before)
	}
	s.stop()

	// Lose the catalog and the index; keep only the bucket.
	for _, p := range []string{"catalog.db", "catalog.db-wal", "catalog.db-shm", "index"} {
		os.RemoveAll(filepath.Join(data, p))
	}
	cmd := exec.Command(sohoaBin, "rebuild")
	cmd.Env = append(append(os.Environ(), "SOHOA_DATA="+data), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "3 documents (3 indexed") || !strings.Contains(string(out), "1 deleted") ||
		!strings.Contains(string(out), "2 units, 2 users") {
		t.Errorf("rebuild said: %s", out)
	}
	s2 := startServer(t, data, env...)
	if after := answers(s2); after != before {
		t.Errorf("search answers changed with the rebuild:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if r := s2.get("/api/v1/documents/" + gone.ID); r.Status != 404 {
		t.Errorf("the rebuild brought back a deleted document: %d", r.Status)
	}
	if r := s2.do("GET", "/api/v1/me", clerk, nil, ""); r.Status != 401 {
		t.Errorf("a login session outlived the rebuild: %d", r.Status)
	}
	if r := s2.do("POST", "/api/v1/login", "", strings.NewReader(`{"username":"vt.tha","password":"mật khẩu thử nghiệm"}`), "application/json"); r.Status != 200 {
		t.Errorf("the rebuilt catalog lost a user: %d %s", r.Status, r.Body)
	}
	var audit struct{ Entries []struct{ Action string } }
	s2.get("/api/v1/audit?document="+dung.ID).json(t, &audit)
	if len(audit.Entries) < 3 {
		t.Errorf("the rebuilt catalog lost the audit log of %s: %+v", dung.ID, audit.Entries)
	}
	var v struct{ Status string }
	s2.do("GET", "/verify/"+approval.Code+"?format=json", "", nil, "").json(t, &v)
	if v.Status != "valid" {
		t.Errorf("the rebuild lost the approval %s: %q", approval.Code, v.Status)
	}
	if r := s2.do("GET", "/api/v1/documents/"+dung.ID+"/signed.pdf", adminToken, nil, ""); r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF-1.7")) {
		t.Errorf("signed copy after the rebuild: %d", r.Status)
	}
	var d document
	s2.get("/api/v1/documents/"+register.ID).json(t, &d)
	if d.Status != "ready" || len(d.Pages) != 2 || d.Pages[1].OCRConfidence == nil {
		t.Errorf("rebuilt document: %+v", d)
	}

	// The store goes away: health says so, and the service stays up.
	minio.Stop()
	r = s2.do("GET", "/healthz", "", nil, "")
	if r.Status != 503 || !bytes.Contains(r.Body, []byte("store")) {
		t.Errorf("healthz without the store: %d %s", r.Status, r.Body)
	}
	if r := s2.get("/api/v1/documents/" + tuan.ID); r.Status != 200 {
		t.Errorf("catalog reads without the store: %d", r.Status)
	}
}
