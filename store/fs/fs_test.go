package fs_test

import (
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
