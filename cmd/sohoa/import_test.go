package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// importRun is `sohoa import` run as a clerk would, against s.
func importRun(t *testing.T, s *server, tokenFile string, args ...string) (summary importSummary, stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(sohoaBin, append([]string{"import", "-server", s.base, "-token-file", tokenFile, "-json"}, args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if jerr := json.Unmarshal([]byte(out.String()), &summary); jerr != nil {
		t.Fatalf("import %v: %v, stdout %q stderr %q", args, jerr, out.String(), errOut.String())
	}
	return summary, out.String(), errOut.String(), err
}

type importSummary struct {
	Accepted, Skipped, Failed, Pages int
	PutOff                           int `json:"put_off"`
	Ignored                          []string
	Results                          []struct {
		Item, Status, Document, Code, Reason string
		Pages                                int
	}
}

// scanFiles writes n scans that differ (a page with its own trailing
// bytes, which decoders ignore) into dir, and returns their SHA-256s.
func scanFiles(t *testing.T, dir, prefix string, n int) []string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	page := fixture(t, "page-150dpi.jpg")
	var shas []string
	for i := range n {
		b := append(append([]byte{}, page...), fmt.Sprintf("\n%s-%d", prefix, i)...)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s%d.jpg", prefix, i+1)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		shas = append(shas, hex.EncodeToString(sum[:]))
	}
	return shas
}

// holders is how many documents the server holds the file of sha in.
func holders(t *testing.T, s *server, sha string) int {
	t.Helper()
	r := s.get("/api/v1/documents?limit=10&sha256=" + sha)
	var list struct {
		Documents []document `json:"documents"`
	}
	r.json(t, &list)
	return len(list.Documents)
}

// TestImportBacklog: a clerk's backlog goes in with one command, through
// the API, against a server whose OCR queue is bounded; a run again sends
// nothing twice, a run killed at random moments loses and duplicates
// nothing, and what cannot be imported is said, with a non-zero exit.
func TestImportBacklog(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	root := t.TempDir()
	s := startServer(t, filepath.Join(root, "data"), "SOHOA_MAX_QUEUE=2", "SOHOA_OCR_WORKERS=1")
	s.newUnit("THPT-A", "SGD", "truong")
	clerk := s.newUser("vanthu.a", "THPT-A", "clerk")
	tokenFile := filepath.Join(root, "token")
	os.WriteFile(tokenFile, []byte(clerk+"\n"), 0o600)

	// The backlog: scans in folders, a ZIP of two, a note and a hidden
	// file beside them.
	backlog := filepath.Join(root, "kho")
	shas := scanFiles(t, filepath.Join(backlog, "2019"), "qd", 3)
	shas = append(shas, scanFiles(t, filepath.Join(backlog, "2020"), "cv", 2)...)
	zipped := scanFiles(t, filepath.Join(root, "nen"), "tb", 2)
	shas = append(shas, zipped...)
	zf, _ := os.Create(filepath.Join(backlog, "2021.zip"))
	zw := zip.NewWriter(zf)
	for i := range 2 {
		w, _ := zw.Create(fmt.Sprintf("thang3/tb%d.jpg", i+1))
		b, _ := os.ReadFile(filepath.Join(root, "nen", fmt.Sprintf("tb%d.jpg", i+1)))
		w.Write(b)
	}
	zw.Close()
	zf.Close()
	os.WriteFile(filepath.Join(backlog, "ghi-chu.txt"), []byte("danh mục"), 0o644)
	os.WriteFile(filepath.Join(backlog, "2019", ".DS_Store"), []byte{0, 1}, 0o644)

	sum, _, stderr, err := importRun(t, s, tokenFile, "-unit", "THPT-A", "-type", "van_ban", "-jobs", "3", backlog)
	if err != nil || sum.Accepted != 7 || sum.Failed != 0 || sum.Pages != 7 {
		t.Fatalf("first run: %v %+v\n%s", err, sum, stderr)
	}
	if len(sum.Ignored) != 1 || !strings.HasSuffix(sum.Ignored[0], "ghi-chu.txt") {
		t.Errorf("ignored %v, want the note only", sum.Ignored)
	}
	// The queue was full on the way (a bound of 2, one worker): the server
	// said so and the importer waited, losing nothing.
	if sum.PutOff == 0 {
		t.Errorf("the server never said it was busy, with a queue of 2 and 7 documents sent 3 at a time")
	}
	if !strings.Contains(stderr, "tệp 7/7") {
		t.Errorf("progress lines: %q", stderr)
	}
	for _, sha := range shas {
		if n := holders(t, s, sha); n != 1 {
			t.Errorf("file %s held by %d documents", sha[:12], n)
		}
	}
	var d struct {
		Title, Type string
		UnitID      string `json:"unit_id"`
	}
	s.get("/api/v1/documents/"+sum.Results[0].Document).json(t, &d)
	if d.Title == "" || d.Type != "van_ban" || d.UnitID != "THPT-A" {
		t.Errorf("imported document: %+v", d)
	}

	// Again: all there already.
	sum, _, _, err = importRun(t, s, tokenFile, "-unit", "THPT-A", "-type", "van_ban", backlog)
	if err != nil || sum.Accepted != 0 || sum.Skipped != 7 {
		t.Errorf("second run: %v %+v", err, sum)
	}

	// A new batch, the importer killed three times on the way, then run to
	// its end: every file is held once.
	more := filepath.Join(root, "kho2")
	moreShas := scanFiles(t, more, "bc", 8)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	for range 3 {
		cmd := exec.Command(sohoaBin, "import", "-server", s.base, "-token-file", tokenFile, "-unit", "THPT-A", "-jobs", "4", more)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(200+rng.IntN(1500)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	sum, _, stderr, err = importRun(t, s, tokenFile, "-unit", "THPT-A", more)
	if err != nil || sum.Accepted+sum.Skipped != 8 || sum.Failed != 0 {
		t.Fatalf("after the kills: %v %+v\n%s", err, sum, stderr)
	}
	for _, sha := range moreShas {
		if n := holders(t, s, sha); n != 1 {
			t.Errorf("after kill -9: file %s held by %d documents", sha[:12], n)
		}
	}

	// A folder a document: its pages in the order people number them.
	folder := filepath.Join(root, "hoso-can-bo", "nguyen-van-an")
	os.MkdirAll(folder, 0o755)
	var want []string
	for _, name := range []string{"trang1.jpg", "trang2.jpg", "trang10.jpg"} {
		b := append(append([]byte{}, fixture(t, "page-150dpi.jpg")...), name...)
		os.WriteFile(filepath.Join(folder, name), b, 0o644)
		sum := sha256.Sum256(b)
		want = append(want, hex.EncodeToString(sum[:]))
	}
	sum, _, _, err = importRun(t, s, tokenFile, "-unit", "THPT-A", "-document-per", "folder", filepath.Dir(folder))
	if err != nil || sum.Accepted != 1 || sum.Pages != 3 {
		t.Fatalf("folder run: %v %+v", err, sum)
	}
	var folderDoc struct {
		Title string
		Pages []struct{ Source string }
	}
	s.get("/api/v1/documents/"+sum.Results[0].Document).json(t, &folderDoc)
	if folderDoc.Title != "nguyen-van-an" || len(folderDoc.Pages) != 3 {
		t.Fatalf("folder document: %+v", folderDoc)
	}
	for i, p := range folderDoc.Pages {
		if p.Source != want[i] {
			t.Errorf("page %d is not %s", i+1, []string{"trang1", "trang2", "trang10"}[i])
		}
	}

	// Into a unit out of the clerk's reach (there is none, for them): each
	// refused, said why, exit status non-zero, nothing stored.
	s.newUnit("THPT-B", "SGD", "truong")
	other := filepath.Join(root, "kho3")
	otherShas := scanFiles(t, other, "x", 2)
	sum, _, _, err = importRun(t, s, tokenFile, "-unit", "THPT-B", other)
	if err == nil || sum.Failed != 2 || sum.Accepted != 0 {
		t.Fatalf("another unit's: %v %+v", err, sum)
	}
	if r := sum.Results[0]; r.Code != "not_found" || !strings.Contains(r.Reason, "Không tìm thấy đơn vị") {
		t.Errorf("refusal: %+v", r)
	}
	if holders(t, s, otherShas[0]) != 0 {
		t.Error("a refused file is stored")
	}
}
