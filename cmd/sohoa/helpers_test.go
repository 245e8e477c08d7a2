package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sohoa/store/s3/miniotest"
)

// sohoaBin is the sohoa sohoaBin the end-to-end tests run, built once.
var sohoaBin string

func TestMain(m *testing.M) {
	// SOHOA_E2E_BIN runs the tests against another build (an older release,
	// to see a finding reproduced before it was fixed).
	if bin := os.Getenv("SOHOA_E2E_BIN"); bin != "" {
		sohoaBin = bin
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "sohoa-e2e-")
	if err != nil {
		panic(err)
	}
	sohoaBin = filepath.Join(dir, "sohoa")
	out, err := exec.Command("go", "build", "-o", sohoaBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build sohoa: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const adminToken = "test-admin-token-0123456789"

// s3Env is the configuration of a service on a bucket of a test's MinIO.
func s3Env(minio *miniotest.Server, bucket string) []string {
	return []string{"SOHOA_STORE=s3", "SOHOA_S3_ENDPOINT=" + minio.Endpoint, "SOHOA_S3_ACCESS_KEY=" + minio.AccessKey,
		"SOHOA_S3_SECRET_KEY=" + minio.SecretKey, "SOHOA_S3_BUCKET=" + bucket, "SOHOA_S3_TLS=false"}
}

// server is a sohoa process.
type server struct {
	t       testing.TB
	cmd     *exec.Cmd
	base    string
	data    string
	logPath string
	env     []string
}

// startServer runs `sohoa serve` on a free port with its data in data and
// extra environment; its JSON log goes to data/../log-N.jsonl.
func startServer(t testing.TB, data string, env ...string) *server {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(filepath.Dir(data), "log-*.jsonl"))
	s := &server{t: t, data: data, env: env,
		logPath: filepath.Join(filepath.Dir(data), fmt.Sprintf("log-%d.jsonl", len(logs)+1))}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(sohoaBin, "serve")
	s.cmd.Env = append(os.Environ(), "SOHOA_ADDR=127.0.0.1:0", "SOHOA_DATA="+data, "SOHOA_ADMIN_TOKEN="+adminToken,
		"SOHOA_LOG_FORMAT=json", "OMP_THREAD_LIMIT=1")
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stderr = logFile
	stdout, _ := s.cmd.StdoutPipe()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.kill(); logFile.Close() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case s.base = <-addr:
	case <-time.After(60 * time.Second):
		log, _ := os.ReadFile(s.logPath)
		t.Fatalf("sohoa did not start:\n%s", log)
	}
	return s
}

func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
	}
}

// stop asks the server to stop and waits for it.
func (s *server) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			s.t.Fatalf("sohoa stopped with %v", err)
		}
	case <-time.After(60 * time.Second):
		s.t.Fatal("sohoa did not stop within 60 s of SIGTERM")
	}
}

// logEvents returns the log records with message msg.
func (s *server) logEvents(msg string) []map[string]any {
	b, _ := os.ReadFile(s.logPath)
	var out []map[string]any
	for _, line := range bytes.Split(b, []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorCode returns the error code of an error response.
func (r *response) errorCode() string {
	var e struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

func (s *server) do(method, path, token string, body io.Reader, contentType string) *response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{resp.StatusCode, resp.Header, b}
}

func (s *server) get(path string) *response { return s.do("GET", path, adminToken, nil, "") }

type part struct {
	field, filename string
	data            []byte
}

func multipartBody(t testing.TB, parts ...part) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var pw io.Writer
		var err error
		if p.filename != "" {
			pw, err = w.CreateFormFile(p.field, p.filename)
		} else {
			pw, err = w.CreateFormField(p.field)
		}
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.data)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func (s *server) upload(token string, parts ...part) *response {
	s.t.Helper()
	body, ct := multipartBody(s.t, parts...)
	return s.do("POST", "/api/v1/documents", token, body, ct)
}

type document struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Status    string         `json:"status"`
	Error     string         `json:"error"`
	CreatedAt string         `json:"created_at"`
	Metadata  map[string]any `json:"metadata"`
	Pages     []struct {
		Number        int      `json:"number"`
		SHA256        string   `json:"sha256"`
		ContentType   string   `json:"content_type"`
		Width         int      `json:"width"`
		Height        int      `json:"height"`
		DPI           int      `json:"dpi"`
		OCRConfidence *float64 `json:"ocr_confidence"`
	} `json:"pages"`
}

// mustUpload uploads and returns the accepted document.
func (s *server) mustUpload(title string, files ...string) document {
	s.t.Helper()
	parts := []part{{field: "title", data: []byte(title)}}
	for _, f := range files {
		parts = append(parts, part{"file", filepath.Base(f), fixture(s.t, f)})
	}
	r := s.upload(adminToken, parts...)
	if r.Status != http.StatusAccepted {
		s.t.Fatalf("upload %v: %d %s", files, r.Status, r.Body)
	}
	var d document
	r.json(s.t, &d)
	if loc := r.Header.Get("Location"); loc != "/api/v1/documents/"+d.ID || d.Status != "queued" {
		s.t.Fatalf("upload answered Location %q, status %q", loc, d.Status)
	}
	return d
}

// waitDone waits until the document is ready or failed, and returns it.
func (s *server) waitDone(id string) document {
	s.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		var d document
		r := s.get("/api/v1/documents/" + id)
		if r.Status != http.StatusOK {
			s.t.Fatalf("get %s: %d %s", id, r.Status, r.Body)
		}
		r.json(s.t, &d)
		if d.Status == "ready" || d.Status == "failed" {
			return d
		}
		time.Sleep(150 * time.Millisecond)
	}
	s.t.Fatalf("document %s not done within 3 minutes", id)
	return document{}
}

type searchResult struct {
	Total int `json:"total"`
	Hits  []struct {
		ID      string  `json:"id"`
		Title   string  `json:"title"`
		Score   float64 `json:"score"`
		Page    int     `json:"page"`
		Snippet string  `json:"snippet"`
	} `json:"hits"`
}

func (s *server) search(q string) searchResult {
	s.t.Helper()
	r := s.get("/api/v1/search?q=" + urlQuery(q))
	if r.Status != http.StatusOK {
		s.t.Fatalf("search %q: %d %s", q, r.Status, r.Body)
	}
	var res searchResult
	r.json(s.t, &res)
	return res
}

func urlQuery(q string) string {
	return strings.NewReplacer("%", "%25", " ", "+", "&", "%26", "#", "%23", "+", "%2B", "/", "%2F").Replace(q)
}

var fixtures sync.Map

func fixture(t testing.TB, name string) []byte {
	if b, ok := fixtures.Load(name); ok {
		return b.([]byte)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	fixtures.Store(name, b)
	return b
}

// newUser makes a user with a password through the API, logs in as them
// and returns the session token.
func (s *server) newUser(username, unit, role string) string {
	s.t.Helper()
	body := fmt.Sprintf(`{"username":%q,"full_name":"Người dùng %s","unit_id":%q,"role":%q,"password":"mật khẩu thử nghiệm"}`, username, username, unit, role)
	if r := s.do("POST", "/api/v1/users", adminToken, strings.NewReader(body), "application/json"); r.Status != http.StatusCreated {
		s.t.Fatalf("create user %s: %d %s", username, r.Status, r.Body)
	}
	r := s.do("POST", "/api/v1/login", "", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":"mật khẩu thử nghiệm"}`, username)), "application/json")
	var login struct{ Token string }
	if r.Status != http.StatusOK {
		s.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	r.json(s.t, &login)
	return login.Token
}

// newUnit makes a unit through the API.
func (s *server) newUnit(id, parent, kind string) {
	s.t.Helper()
	body := fmt.Sprintf(`{"id":%q,"name":"Đơn vị %s","kind":%q,"parent_id":%q}`, id, id, kind, parent)
	if r := s.do("POST", "/api/v1/units", adminToken, strings.NewReader(body), "application/json"); r.Status != http.StatusCreated {
		s.t.Fatalf("create unit %s: %d %s", id, r.Status, r.Body)
	}
}
