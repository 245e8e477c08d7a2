package importer

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNaturalOrder(t *testing.T) {
	names := []string{"trang10.jpg", "Trang2.jpg", "trang1.jpg", "trang02b.jpg", "bia.jpg", "trang1a.jpg"}
	slices.SortFunc(names, naturalCompare)
	want := []string{"bia.jpg", "trang1.jpg", "trang1a.jpg", "Trang2.jpg", "trang02b.jpg", "trang10.jpg"}
	if !slices.Equal(names, want) {
		t.Errorf("%v, want %v", names, want)
	}
}

// TestPlan: scans become documents, a file each or a folder each (a ZIP
// is a folder, and so is each folder in it); what is no scan is named,
// what a file manager leaves is not.
func TestPlan(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	write("a/trang10.png", "10")
	write("a/trang2.png", "2")
	write("a/Thumbs.db", "x")
	write("a/.git/config", "x")
	write("b/don.pdf", "pdf")
	write("b/ghi-chu.docx", "x")
	zf, _ := os.Create(filepath.Join(dir, "c.zip"))
	zw := zip.NewWriter(zf)
	for _, n := range []string{"p2.jpg", "p1.jpg", "sub/q.tif", "__MACOSX/._p1.jpg"} {
		w, _ := zw.Create(n)
		io.WriteString(w, n)
	}
	zw.Close()
	zf.Close()

	p, err := NewPlan([]string{dir}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var got []string
	for _, it := range p.Items {
		var files []string
		for _, f := range it.Files {
			files = append(files, filepath.Base(f.Name))
		}
		got = append(got, it.Title+":"+strings.Join(files, ","))
	}
	want := []string{"a:trang2.png,trang10.png", "b:don.pdf", "c.zip:p1.jpg,p2.jpg", "sub:q.tif"}
	if !slices.Equal(got, want) {
		t.Errorf("folders: %v, want %v", got, want)
	}
	if len(p.Ignored) != 1 || !strings.HasSuffix(p.Ignored[0], "ghi-chu.docx") {
		t.Errorf("ignored %v", p.Ignored)
	}
	f := p.Items[2].Files[0]
	r, _ := f.Open()
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "p1.jpg" || f.Size != 6 {
		t.Errorf("a file in the ZIP reads %q (%d bytes)", b, f.Size)
	}

	each, err := NewPlan([]string{dir}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer each.Close()
	if len(each.Items) != 6 || each.Items[0].Title != "trang2" {
		t.Errorf("a document a file: %d, first %q", len(each.Items), each.Items[0].Title)
	}
}

// fakeServer holds documents by SHA-256 as sohoa does, and misbehaves as
// told: busy for the first uploads, or dropping the connection after
// taking one.
type fakeServer struct {
	mu       sync.Mutex
	bySHA    map[string]string
	uploads  int
	busy     int  // answer 503 busy to this many uploads first
	dropNext bool // take the next upload, then drop the connection
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(401)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/v1/documents":
		var docs []map[string]any
		if id, ok := f.bySHA[r.URL.Query().Get("sha256")]; ok {
			docs = append(docs, map[string]any{"id": id, "pages": []any{map[string]any{}}})
		}
		json.NewEncoder(w).Encode(map[string]any{"documents": docs})
	case r.Method == "POST":
		if f.busy > 0 {
			f.busy--
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			io.WriteString(w, `{"error":{"code":"busy","message":"Máy chủ đang bận"}}`)
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			w.WriteHeader(400)
			return
		}
		f.uploads++
		id := fmt.Sprintf("D%d", f.uploads)
		var pages []any
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == "file" {
				b, _ := io.ReadAll(part)
				fl := &File{open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(b))), nil }}
				sha, _ := fl.SHA256()
				f.bySHA[sha] = id
				pages = append(pages, map[string]any{})
			}
		}
		if f.dropNext {
			f.dropNext = false
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
		w.WriteHeader(202)
		json.NewEncoder(w).Encode(map[string]any{"id": id, "status": "queued", "pages": pages})
	default:
		w.WriteHeader(404)
	}
}

// TestRunWaitsAndNeverSendsTwice: a busy server is waited for as it asks;
// an upload whose answer was lost is found on the server, not sent again.
func TestRunWaitsAndNeverSendsTwice(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.png", i)), []byte(fmt.Sprint("scan ", i)), 0o644)
	}
	fake := &fakeServer{bySHA: map[string]string{}, busy: 2, dropNext: true}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	plan, err := NewPlan([]string{dir}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	cfg := Config{Server: srv.URL, Token: "tok", Unit: "U", Jobs: 2, Attempts: 10}
	start := time.Now()
	sum := Run(context.Background(), cfg, plan)
	if sum.Accepted+sum.Skipped != 5 || sum.Failed != 0 || fake.uploads != 5 {
		t.Fatalf("%+v, %d uploads", sum, fake.uploads)
	}
	if sum.Skipped != 1 {
		t.Errorf("the upload whose answer was lost: %d skipped, want 1", sum.Skipped)
	}
	if sum.PutOff < 2 || time.Since(start) < time.Second {
		t.Errorf("put off %d times in %v: the server's Retry-After not waited for", sum.PutOff, time.Since(start))
	}

	// Again: nothing sent.
	sum = Run(context.Background(), cfg, plan)
	if sum.Skipped != 5 || fake.uploads != 5 {
		t.Errorf("second run: %+v, %d uploads", sum, fake.uploads)
	}

	// A wrong token: said, not retried.
	sum = Run(context.Background(), Config{Server: srv.URL, Token: "bad", Unit: "U"}, plan)
	if sum.Failed != 5 || sum.Results[0].Code != "401" {
		t.Errorf("wrong token: %+v", sum.Results[0])
	}
}
