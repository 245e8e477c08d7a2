package main

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"testing"
)

func makeZip(t *testing.T, files map[string][]byte, order ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	zw.Close()
	return b.Bytes()
}

// TestZipOfScans: a ZIP becomes one document of many pages (in the order
// people number them) or one document per file; unsafe or exploding
// archives are refused.
func TestZipOfScans(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	jpg, png := fixture(t, "page-150dpi.jpg"), fixture(t, "pages/d3-bang-tuan.png")
	side := fixture(t, "sideways-150dpi.jpg")
	files := map[string][]byte{"hoso/trang10.jpg": side, "hoso/trang2.png": png, "hoso/trang1.jpg": jpg, "__MACOSX/._trang1.jpg": []byte("junk")}
	archive := makeZip(t, files, "hoso/trang10.jpg", "hoso/trang2.png", "hoso/trang1.jpg", "__MACOSX/._trang1.jpg")

	r := s.upload(adminToken, part{field: "title", data: []byte("Hồ sơ nén")}, part{"file", "hoso.zip", archive})
	var d document
	r.json(t, &d)
	if r.Status != 202 || len(d.Pages) != 3 {
		t.Fatalf("zip as pages: %d %s", r.Status, r.Body)
	}
	for i, want := range [][]byte{jpg, png, side} {
		if d.Pages[i].SHA256 != sha(want) {
			t.Errorf("page %d is not the file it should be (natural order trang1, trang2, trang10)", i+1)
		}
	}
	if d := s.waitDone(d.ID); d.Status != "ready" {
		t.Fatalf("%+v", d)
	}

	r = s.upload(adminToken, part{field: "zip", data: []byte("documents")}, part{"file", "hoso.zip", archive})
	var many struct{ Documents []document }
	r.json(t, &many)
	if r.Status != 202 || len(many.Documents) != 3 || many.Documents[0].Title != "trang1" || many.Documents[2].Title != "trang10" {
		t.Fatalf("zip as documents: %d %s", r.Status, r.Body)
	}
	for _, d := range many.Documents {
		if d := s.waitDone(d.ID); d.Status != "ready" {
			t.Errorf("%+v", d)
		}
	}
	// With a title, each document keeps it, told apart by its file.
	r = s.upload(adminToken, part{field: "zip", data: []byte("documents")}, part{field: "title", data: []byte("Hồ sơ nén")},
		part{"file", "hoso.zip", archive})
	r.json(t, &many)
	if r.Status != 202 || len(many.Documents) != 3 || many.Documents[0].Title != "Hồ sơ nén – trang1" || many.Documents[2].Title != "Hồ sơ nén – trang10" {
		t.Fatalf("zip as documents with a title: %d %s", r.Status, r.Body)
	}

	bomb := makeZip(t, map[string][]byte{"a.png": make([]byte, 20<<20)}, "a.png")
	tests := []struct {
		name   string
		zip    []byte
		status int
		code   string
	}{
		{"path climbing out", makeZip(t, map[string][]byte{"../../etc/trang1.jpg": jpg}, "../../etc/trang1.jpg"), 400, "invalid"},
		{"zip bomb", bomb, 413, "too_large"},
		{"not a scan inside", makeZip(t, map[string][]byte{"ghichu.txt": []byte("Họ và tên")}, "ghichu.txt"), 415, "unsupported_media_type"},
		{"empty", makeZip(t, map[string][]byte{}), 400, "invalid"},
		{"damaged", archive[:len(archive)/2], 400, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.upload(adminToken, part{"file", "x.zip", tt.zip})
			if r.Status != tt.status || r.errorCode() != tt.code {
				t.Fatalf("%d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
		})
	}
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb fixture is %d bytes: it should compress", len(bomb))
	}
}
