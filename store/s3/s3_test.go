package s3_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"sohoa/store"
	"sohoa/store/s3"
	"sohoa/store/s3/miniotest"
	"sohoa/store/storetest"
)

func TestConformance(t *testing.T) {
	srv := miniotest.Start(t)
	var n atomic.Int64
	storetest.Test(t, func(t *testing.T) store.Store {
		// A new bucket per case, created by Open as it would be in production.
		s, err := s3.Open(context.Background(), srv.Config(fmt.Sprintf("sohoa-test-%d", n.Add(1))))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestTwoProcessesRace: two processes swap one object on a real MinIO
// server; If-Match keeps them from losing each other's updates.
func TestTwoProcessesRace(t *testing.T) {
	srv := miniotest.Start(t)
	cfg := srv.Config("sohoa-race")
	s, err := s3.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	storetest.RaceProcesses(t, s, "documents/X/manifest.json", 100, "SOHOA_STORETEST_S3="+cfg.Endpoint,
		"SOHOA_STORETEST_S3_KEY="+cfg.AccessKey, "SOHOA_STORETEST_S3_SECRET="+cfg.SecretKey)
}

func TestRaceChild(t *testing.T) {
	storetest.RaceChild(t, func() store.Store {
		s, err := s3.Open(context.Background(), s3.Config{Endpoint: os.Getenv("SOHOA_STORETEST_S3"),
			AccessKey: os.Getenv("SOHOA_STORETEST_S3_KEY"), SecretKey: os.Getenv("SOHOA_STORETEST_S3_SECRET"), Bucket: "sohoa-race"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
