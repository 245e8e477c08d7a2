package s3_test

import (
	"context"
	"fmt"
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
