package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"sohoa"
	"sohoa/catalog"
	"sohoa/search"
	"sohoa/store"
	"sohoa/store/fs"
	"sohoa/store/s3"
	"sohoa/store/s3/miniotest"
)

// TestTwoProcessesEditOneDocument: two processes (a second node, say) edit
// the same record at once, each change by itself; none is lost, on either
// store.
func TestTwoProcessesEditOneDocument(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("fs", func(t *testing.T) {
		dir := t.TempDir()
		s, err := fs.Open(filepath.Join(dir, "store"))
		if err != nil {
			t.Fatal(err)
		}
		raceEdits(t, s, dir, "SOHOA_RACE_FS="+filepath.Join(dir, "store"))
	})
	t.Run("s3", func(t *testing.T) {
		srv := miniotest.Start(t)
		cfg := srv.Config("sohoa-race")
		s, err := s3.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		raceEdits(t, s, t.TempDir(), "SOHOA_RACE_S3="+cfg.Endpoint, "SOHOA_RACE_S3_KEY="+cfg.AccessKey, "SOHOA_RACE_S3_SECRET="+cfg.SecretKey)
	})
}

const raceEdits_ = 25

func raceEdits(t *testing.T, s store.Store, dir string, env ...string) {
	ctx := context.Background()
	svc := raceService(t, s, dir, "parent")
	now := svc.now().UTC()
	m := &sohoa.Manifest{Version: sohoa.ManifestVersion, ID: sohoa.NewID(now), Title: "Kế hoạch", Type: sohoa.TypeVanBan,
		Metadata: sohoa.Metadata{}, UnitID: "SGD", UnitPath: "/SGD/", CreatedAt: now}
	m.SetStatus(sohoa.StatusQueued, now, "")
	if err := svc.createManifest(ctx, m); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	outs, errs := make([][]byte, 2), make([]error, 2)
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRaceEditChild$", "-test.count=1")
		cmd.Env = append(append(os.Environ(), env...), "SOHOA_RACE_DOC="+m.ID, "SOHOA_RACE_DIR="+dir, fmt.Sprintf("SOHOA_RACE_WRITER=p%d", i))
		wg.Add(1)
		go func() { defer wg.Done(); outs[i], errs[i] = cmd.CombinedOutput() }()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("process %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	got, err := svc.Manifest(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range got.Changes {
		seen[fmt.Sprint(c.New)] = true
	}
	for i := range 2 {
		for k := range raceEdits_ {
			if v := fmt.Sprintf("p%d #%d", i, k); !seen[v] {
				t.Fatalf("the change to %q was lost (%d changes kept of %d)", v, len(got.Changes), 2*raceEdits_)
			}
		}
	}
	if got.Revision != 1+2*raceEdits_ || len(got.Changes) != 2*raceEdits_ {
		t.Fatalf("revision %d with %d changes, want %d and %d", got.Revision, len(got.Changes), 1+2*raceEdits_, 2*raceEdits_)
	}
	// Every revision is kept.
	for rev := 1; rev <= got.Revision; rev++ {
		if _, err := s.Stat(ctx, store.ManifestRevisionKey(m.ID, rev)); err != nil {
			t.Fatalf("revision %d: %v", rev, err)
		}
	}
}

func raceService(t *testing.T, s store.Store, dir, name string) *Service {
	t.Helper()
	db, err := catalog.Open(filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	idx, err := search.Open(filepath.Join(dir, "index-"+name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return New(s, db, idx, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{TempDir: dir})
}

// TestRaceEditChild is one of TestTwoProcessesEditOneDocument's processes.
func TestRaceEditChild(t *testing.T) {
	writer := os.Getenv("SOHOA_RACE_WRITER")
	if writer == "" {
		t.Skip("run by TestTwoProcessesEditOneDocument")
	}
	var s store.Store
	var err error
	if dir := os.Getenv("SOHOA_RACE_FS"); dir != "" {
		s, err = fs.Open(dir)
	} else {
		s, err = s3.Open(context.Background(), s3.Config{Endpoint: os.Getenv("SOHOA_RACE_S3"), AccessKey: os.Getenv("SOHOA_RACE_S3_KEY"),
			SecretKey: os.Getenv("SOHOA_RACE_S3_SECRET"), Bucket: "sohoa-race"})
	}
	if err != nil {
		t.Fatal(err)
	}
	svc := raceService(t, s, os.Getenv("SOHOA_RACE_DIR"), writer)
	by := &sohoa.Principal{UserID: writer, Username: writer, Role: sohoa.RoleAdmin}
	for k := range raceEdits_ {
		v := writer + " #" + strconv.Itoa(k)
		if _, err := svc.Update(context.Background(), os.Getenv("SOHOA_RACE_DOC"), &Patch{Metadata: map[string]any{"ghi_chu": v}, By: by}); err != nil {
			t.Fatalf("edit %s: %v", v, err)
		}
	}
}
