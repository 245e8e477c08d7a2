package main

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatchFolder: a scanner drops files in the unit's folder; each is
// taken once whole, moved to done/ or to failed/ with a reason a clerk
// reads, and a server killed on the way takes each file once.
func TestWatchFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	root := t.TempDir()
	inbox := filepath.Join(root, "quet")
	env := []string{"SOHOA_WATCH_DIR=" + inbox, "SOHOA_WATCH_SETTLE=1s", "SOHOA_OCR_WORKERS=1"}
	data := filepath.Join(root, "data")
	s := startServer(t, data, env...)
	s.newUnit("THPT-W", "SGD", "truong")
	unit := filepath.Join(inbox, "THPT-W")
	os.MkdirAll(unit, 0o755)
	os.MkdirAll(filepath.Join(inbox, "KHONG-CO"), 0o755)

	page := fixture(t, "page-150dpi.jpg")
	// Half a scan, still being written: not taken while it grows.
	half := filepath.Join(unit, "qd-01.jpg")
	os.WriteFile(half, page[:len(page)/2], 0o644)
	os.WriteFile(filepath.Join(unit, "ghi-chu.txt"), []byte("không phải bản quét"), 0o644)
	os.WriteFile(filepath.Join(inbox, "KHONG-CO", "a.jpg"), page, 0o644)
	os.WriteFile(filepath.Join(unit, ".DS_Store"), []byte{0}, 0o644)
	time.Sleep(700 * time.Millisecond)
	f, _ := os.OpenFile(half, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(page[len(page)/2:])
	f.Close()

	waitFor := func(path string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if _, err := os.Stat(path); err == nil {
				return
			}
		}
		t.Fatalf("%s did not appear", path)
	}
	waitFor(filepath.Join(unit, "done", "qd-01.jpg"))
	sum := sha256.Sum256(page)
	if n := holders(t, s, hex.EncodeToString(sum[:])); n != 1 {
		t.Fatalf("the scan is held by %d documents (the half one taken?)", n)
	}
	var list struct {
		Documents []struct {
			Title  string `json:"title"`
			UnitID string `json:"unit_id"`
		} `json:"documents"`
	}
	s.get("/api/v1/documents?unit_id=THPT-W").json(t, &list)
	if len(list.Documents) != 1 || list.Documents[0].Title != "qd-01" {
		t.Errorf("the unit's documents: %+v", list.Documents)
	}
	waitFor(filepath.Join(unit, "failed", "ghi-chu.txt.ly-do.txt"))
	reason, _ := os.ReadFile(filepath.Join(unit, "failed", "ghi-chu.txt.ly-do.txt"))
	t.Logf("a text file: %s", reason)
	if !strings.Contains(strings.ToLower(string(reason)), "tệp") {
		t.Errorf("reason for a text file: %q", reason)
	}
	waitFor(filepath.Join(inbox, "KHONG-CO", "failed", "a.jpg.ly-do.txt"))
	reason, _ = os.ReadFile(filepath.Join(inbox, "KHONG-CO", "failed", "a.jpg.ly-do.txt"))
	if !strings.Contains(string(reason), "không mang mã của đơn vị") {
		t.Errorf("reason for an unknown unit: %q", reason)
	}
	if _, err := os.Stat(filepath.Join(unit, ".DS_Store")); err != nil {
		t.Error("a file manager's file was moved")
	}

	// A batch dropped, the server killed on the way, started again: every
	// file ends in done/, held once.
	var shas []string
	for i := range 5 {
		b := append(append([]byte{}, page...), byte('a'+i))
		name := filepath.Join(unit, "lo2", "trang"+string(rune('1'+i))+".jpg")
		os.MkdirAll(filepath.Dir(name), 0o755)
		os.WriteFile(name, b, 0o644)
		sum := sha256.Sum256(b)
		shas = append(shas, hex.EncodeToString(sum[:]))
	}
	time.Sleep(time.Duration(1000+rand.IntN(1500)) * time.Millisecond)
	s.kill()
	s = startServer(t, data, env...)
	for i := range 5 {
		waitFor(filepath.Join(unit, "done", "lo2", "trang"+string(rune('1'+i))+".jpg"))
	}
	for _, sha := range shas {
		if n := holders(t, s, sha); n != 1 {
			t.Errorf("after a kill: file %s held by %d documents", sha[:12], n)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(unit, "lo2", "*")); len(left) != 0 {
		t.Errorf("left in the folder: %v", left)
	}
}
