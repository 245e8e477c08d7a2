// Package miniotest starts a real MinIO server for tests, on 127.0.0.1 on a
// free port, with its data in the test's temporary directory.
//
// The binary is found at $SOHOA_MINIO, then $HOME/.cache/sohoa/bin/minio, then
// on PATH (`make minio` builds it there). Without one the test is skipped,
// unless SOHOA_REQUIRE_MINIO=1 (set by `make test`), when it fails.
package miniotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"sohoa/store/s3"
)

// Server is a running MinIO server.
type Server struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	bin, dir  string
	console   int
	cmd       *exec.Cmd
	out       *strings.Builder
}

// Stop stops the server now, as a crash would.
func (s *Server) Stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// Config returns the store configuration for a bucket on the server.
func (s *Server) Config(bucket string) s3.Config {
	return s3.Config{Endpoint: s.Endpoint, AccessKey: s.AccessKey, SecretKey: s.SecretKey, Bucket: bucket}
}

// Binary returns the path of the MinIO server binary, or "".
func Binary() string {
	if p := os.Getenv("SOHOA_MINIO"); p != "" {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "sohoa", "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, _ := exec.LookPath("minio")
	return p
}

// Start starts a server that stops when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("SOHOA_REQUIRE_MINIO") == "1" {
			tb.Fatal("no MinIO server binary: run `make minio`")
		}
		tb.Skip("no MinIO server binary (run `make minio`, or `make test` which does)")
	}
	port := freePort(tb)
	secret := make([]byte, 12)
	rand.Read(secret)
	srv := &Server{Endpoint: fmt.Sprintf("127.0.0.1:%d", port), AccessKey: "sohoatest", SecretKey: hex.EncodeToString(secret),
		bin: bin, dir: tb.TempDir(), console: freePort(tb)}
	tb.Cleanup(srv.Stop)
	srv.start(tb)
	return srv
}

// Restart starts a stopped server again, on the same address with the same
// data, as an operator brings MinIO back after an outage.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	s.start(tb)
}

func (s *Server) start(tb testing.TB) {
	tb.Helper()
	cmd := exec.Command(s.bin, "server", filepath.Join(s.dir, "data"),
		"--address", s.Endpoint, "--console-address", fmt.Sprintf("127.0.0.1:%d", s.console), "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "HOME="+s.dir)
	s.out = &strings.Builder{}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start minio: %v", err)
	}
	s.cmd = cmd
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The health endpoint may answer before the object layer is up: wait
	// until a real S3 call succeeds.
	client, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		tb.Fatal(err)
	}
	for {
		_, err := client.ListBuckets(ctx)
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("minio did not become ready: %v\n%s", err, s.out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
