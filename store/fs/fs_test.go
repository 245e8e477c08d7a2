package fs_test

import (
	"os"
	"testing"

	"sohoa/store"
	"sohoa/store/fs"
	"sohoa/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Test(t, func(t *testing.T) store.Store {
		s, err := fs.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestTwoProcessesRace: two processes sharing the directory swap one blob;
// the flock keeps them from losing each other's updates.
func TestTwoProcessesRace(t *testing.T) {
	dir := t.TempDir()
	s, err := fs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.RaceProcesses(t, s, "documents/X/manifest.json", 200, "SOHOA_STORETEST_DIR="+dir)
}

func TestRaceChild(t *testing.T) {
	storetest.RaceChild(t, func() store.Store {
		s, err := fs.Open(os.Getenv("SOHOA_STORETEST_DIR"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
