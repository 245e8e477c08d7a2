package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"sohoa"
	_ "sohoa/search" // its analyzers, to open the index with Bleve
	"sohoa/store/s3/miniotest"
)

// TestNothingLostToARebuild: the directory (users, a procedure system's
// scope, tokens revoked or not, a disabled user), the reuse ledger and
// every audit entry, the last second's included, come back when the
// catalog and the index are lost and rebuilt from the store.
func TestNothingLostToARebuild(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	data := filepath.Join(t.TempDir(), "data")
	// The sealer never runs: what a rebuild finds, the write batches put there.
	s := startServer(t, data, "SOHOA_AUDIT_SEAL=1h")
	s.newUnit("THA", "SGD", "truong")
	clerk := s.newUser("vt.tha", "THA", "clerk")
	official := s.newUser("cb.sgd", "SGD", "official")
	gone := s.newUser("vt.cu", "THA", "clerk")
	var goneMe struct{ ID string }
	s.do("GET", "/api/v1/me", gone, nil, "").json(t, &goneMe)
	if r := s.do("PATCH", "/api/v1/users/"+goneMe.ID, adminToken, strings.NewReader(`{"disabled":true}`), "application/json"); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	r := s.do("POST", "/api/v1/users", adminToken, strings.NewReader(`{"username":"dvc","full_name":"Cổng dịch vụ công","unit_id":"SGD","role":"system","scope":{"types":["van_bang"],"units":["SGD"],"rate_per_minute":600}}`), "application/json")
	var dvcUser struct{ ID string }
	r.json(t, &dvcUser)
	token := func(user, name string) (string, string) {
		r := s.do("POST", "/api/v1/tokens", adminToken, strings.NewReader(`{"name":"`+name+`","user_id":"`+user+`"}`), "application/json")
		var tok struct{ Token, ID string }
		r.json(t, &tok)
		if r.Status != 201 {
			t.Fatalf("token: %d %s", r.Status, r.Body)
		}
		return tok.Token, tok.ID
	}
	dvc, _ := token(dvcUser.ID, "dịch vụ công")
	old, oldID := token(dvcUser.ID, "cũ")
	if r := s.do("DELETE", "/api/v1/tokens/"+oldID, adminToken, nil, ""); r.Status != 204 {
		t.Fatalf("revoke: %d", r.Status)
	}

	r = s.upload(clerk, part{field: "type", data: []byte("van_bang")}, part{field: "ho_ten", data: []byte("Lê Quang Tuấn")},
		part{field: "so_dinh_danh", data: []byte("030204001234")}, part{field: "ngay_sinh", data: []byte("2004-04-12")},
		part{"file", "bang.png", fixture(t, "pages/d3-bang-tuan.png")})
	var d document
	r.json(t, &d)
	s.waitDone(d.ID)
	if r := s.do("POST", "/api/v1/documents/"+d.ID+"/approve", official, nil, ""); r.Status != 201 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	for i, c := range []string{"000.00.17.H23-261126-0001", "000.00.17.H23-261126-0002"} {
		q := fmt.Sprintf("?purpose=X%%C3%%A1c+minh&case_id=%s&procedure=1.00538%d", c, i)
		if r := s.do("GET", "/api/v1/verified/"+d.ID+"/signed.pdf"+q, dvc, nil, ""); r.Status != 200 {
			t.Fatalf("fetch: %d %s", r.Status, r.Body)
		}
	}
	// Filters the index keeps current: approved, digitized today (in Vietnam).
	today := time.Now().In(sohoa.Vietnam).Format("2006-01-02")
	found := func(s *server, params string) string {
		t.Helper()
		r := s.get("/api/v1/search?" + params)
		var res searchResult
		r.json(t, &res)
		if r.Status != 200 {
			t.Fatalf("search %s: %d %s", params, r.Status, r.Body)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return strings.Join(ids, " ")
	}
	filters := func(s *server, when string) {
		t.Helper()
		for params, want := range map[string]string{
			"approved=true": d.ID, "approved=false": "", "approved=true&digitized_from=" + today + "&digitized_to=" + today: d.ID,
			"approved=true&digitized_to=2020-01-01": "",
		} {
			if got := found(s, params); got != want {
				t.Errorf("%s, search %s: %q, want %q", when, params, got, want)
			}
		}
	}
	filters(s, "approved")
	reuse := func(s *server) string {
		return string(s.do("GET", "/api/v1/reuse", adminToken, nil, "").Body)
	}
	auditLog := func(s *server) string {
		return string(s.do("GET", "/api/v1/audit?limit=1000", adminToken, nil, "").Body)
	}
	reuseBefore := reuse(s)
	if !strings.Contains(reuseBefore, `"total":2`) {
		t.Fatalf("reuse before: %s", reuseBefore)
	}
	// The last reads, then the process dies with no chance to seal.
	s.get("/api/v1/documents/" + d.ID)
	s.get("/api/v1/documents/" + d.ID + "/history")
	auditBefore := auditLog(s)
	s.kill()

	for _, p := range []string{"catalog.db", "catalog.db-wal", "catalog.db-shm", "index"} {
		os.RemoveAll(filepath.Join(data, p))
	}
	cmd := exec.Command(sohoaBin, "rebuild")
	cmd.Env = append(os.Environ(), "SOHOA_DATA="+data)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "2 units, 5 users, 3 API tokens") {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	s2 := startServer(t, data)
	if after := auditLog(s2); !strings.HasPrefix(after, strings.TrimSuffix(auditBefore, "]}\n")) {
		t.Errorf("audit log lost entries in the rebuild:\nbefore %s\nafter  %s", auditBefore, after)
	}
	if after := reuse(s2); after != reuseBefore {
		t.Errorf("reuse ledger changed with the rebuild:\nbefore %s\nafter  %s", reuseBefore, after)
	}
	var recs struct{ Records []struct{ ID string } }
	if r := s2.do("GET", "/api/v1/verified?subject_id=030204001234", dvc, nil, ""); r.Status != 200 {
		t.Errorf("the procedure system's token after the rebuild: %d %s", r.Status, r.Body)
	} else if r.json(t, &recs); len(recs.Records) != 1 || recs.Records[0].ID != d.ID {
		t.Errorf("its scope after the rebuild: %s", r.Body)
	}
	if r := s2.do("GET", "/api/v1/verified?subject_id=030204001234", old, nil, ""); r.Status != 401 {
		t.Errorf("a revoked token after the rebuild: %d", r.Status)
	}
	if r := s2.do("POST", "/api/v1/login", "", strings.NewReader(`{"username":"vt.cu","password":"mật khẩu thử nghiệm"}`), "application/json"); r.Status != 401 {
		t.Errorf("a disabled user after the rebuild: %d", r.Status)
	}
	if r := s2.do("POST", "/api/v1/login", "", strings.NewReader(`{"username":"vt.tha","password":"mật khẩu thử nghiệm"}`), "application/json"); r.Status != 200 {
		t.Errorf("a user after the rebuild: %d %s", r.Status, r.Body)
	}
	filters(s2, "after the rebuild")
	s2.stop()
	check := exec.Command(sohoaBin, "check")
	check.Env = append(os.Environ(), "SOHOA_DATA="+data)
	if out, err := check.CombinedOutput(); err != nil || !strings.Contains(string(out), "audit log intact") {
		t.Errorf("check after the rebuild: %v\n%s", err, out)
	}

	// An index of the first layout (no filter for approval or day of
	// digitizing, no version kept) is made again at start.
	idx, err := bleve.Open(filepath.Join(data, "index"))
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(idx.DeleteInternal([]byte("sohoa-mapping")), idx.Close()); err != nil {
		t.Fatal(err)
	}
	s3 := startServer(t, data)
	if ev := s3.logEvents("search index made again from the store"); len(ev) != 1 || ev[0]["documents"] != 1.0 {
		t.Errorf("no reindex of a stale index logged: %v", ev)
	}
	filters(s3, "after an index of layout 1")
	var session struct{ Token string }
	s3.do("POST", "/api/v1/login", "", strings.NewReader(`{"username":"cb.sgd","password":"mật khẩu thử nghiệm"}`), "application/json").json(t, &session)
	if r := s3.do("POST", "/api/v1/documents/"+d.ID+"/revoke", session.Token, strings.NewReader(`{"reason":"Cấp nhầm"}`), "application/json"); r.Status != 200 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if got := found(s3, "approved=false&type=van_bang"); got != d.ID {
		t.Errorf("revoked, not approved: %q", got)
	}
}

// TestCommandsBesideTheService: the README's setup commands work while the
// service runs, and what cannot work says so within seconds.
func TestCommandsBesideTheService(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data)
	sohoa := func(timeout time.Duration, env []string, args ...string) (string, time.Duration, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, sohoaBin, args...)
		cmd.Env = append(append(os.Environ(), "SOHOA_DATA="+data), env...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("sohoa %v hung for %s:\n%s", args, timeout, out)
		}
		return string(out), time.Since(start), err
	}
	if out, took, err := sohoa(15*time.Second, nil, "unit", "add", "-id", "THA", "-name", "Trường THPT A"); err != nil {
		t.Fatalf("unit add beside the service: %v (%s)\n%s", err, took, out)
	}
	out, _, err := sohoa(15*time.Second, []string{"SOHOA_PASSWORD=mật khẩu của văn thư"}, "user", "add", "-username", "vt.tha",
		"-full-name", "Nguyễn Thị Hoa", "-unit", "THA", "-token")
	if err != nil {
		t.Fatalf("user add beside the service: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var me struct {
		Username string
		UnitID   string `json:"unit_id"`
	}
	if r := s.do("GET", "/api/v1/me", lines[len(lines)-1], nil, ""); r.Status != 200 {
		t.Fatalf("the running service and the token user add printed: %d %s", r.Status, r.Body)
	} else if r.json(t, &me); me.Username != "vt.tha" || me.UnitID != "THA" {
		t.Fatalf("me: %+v", me)
	}
	var units struct{ Units []struct{ ID string } }
	s.get("/api/v1/units").json(t, &units)
	if len(units.Units) != 2 {
		t.Errorf("the running service sees units %+v", units.Units)
	}
	if out, _, err := sohoa(15*time.Second, nil, "check"); err != nil || !strings.Contains(out, "audit log intact") {
		t.Errorf("check beside the service: %v\n%s", err, out)
	}
	// What needs the index, which the service holds, is refused at once.
	for _, args := range [][]string{{"rebuild"}, {"serve"}} {
		out, took, err := sohoa(15*time.Second, []string{"SOHOA_ADDR=127.0.0.1:0"}, args...)
		if err == nil || took > 5*time.Second || !strings.Contains(out, "in use") || !strings.Contains(out, "sohoa serve") {
			t.Errorf("sohoa %s beside the service: %v after %s\n%s", args[0], err, took, out)
		}
	}
	// Each command shows its own flags, not the service's.
	out, _, _ = sohoa(15*time.Second, nil, "unit", "add", "-h")
	if !strings.Contains(out, "-parent") || !strings.Contains(out, "-data") || strings.Contains(out, "-ocr-workers") || strings.Contains(out, "-addr") {
		t.Errorf("unit add -h:\n%s", out)
	}
	if out, _, err := sohoa(15*time.Second, nil, "version"); err != nil || !strings.HasPrefix(out, "sohoa ") {
		t.Errorf("version: %v %s", err, out)
	}
	var health struct{ Version string }
	s.do("GET", "/healthz", "", nil, "").json(t, &health)
	if v, _, _ := sohoa(15*time.Second, nil, "version"); health.Version == "" || strings.TrimSpace(strings.TrimPrefix(v, "sohoa ")) != health.Version {
		t.Errorf("healthz says version %q, sohoa version %q", health.Version, v)
	}
	// A command waiting for its password stops at SIGTERM.
	cmd := exec.Command(sohoaBin, "user", "add", "-username", "vt.thb", "-full-name", "x", "-unit", "THA")
	cmd.Env = append(os.Environ(), "SOHOA_DATA="+data)
	stdin, keepOpen, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer keepOpen.Close()
	cmd.Stdin = stdin
	prompt, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	asked := make([]byte, len("password: "))
	if _, err := io.ReadFull(prompt, asked); err != nil || string(asked) != "password: " {
		t.Fatalf("user add did not ask for the password: %q %v", asked, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Error("user add waiting for a password ignored SIGTERM")
	}
}

// TestStoreOutagePausesOCR: MinIO stops while documents are being read,
// for longer than the OCR attempts would last; nothing fails, nothing
// uploaded is lost, the health check says why, and when MinIO is back the
// documents are read without anyone restarting anything.
func TestStoreOutagePausesOCR(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	minio := miniotest.Start(t)
	env := append(s3Env(minio, "sohoa-outage"), "SOHOA_OCR_WORKERS=1")
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data, env...)
	var ids []string
	for _, f := range []string{"pages/d1-thongbao.png", "pages/d2-baocao.png", "pages/d4-bang-dung.png", "pages/d5-sogoc.png"} {
		ids = append(ids, s.mustUpload("Hồ sơ", f).ID)
	}
	minio.Stop()
	// Uploads and page images are refused for now, with when to come back.
	r := s.upload(adminToken, part{"file", "p.jpg", fixture(t, "page-150dpi.jpg")})
	if r.Status != 503 || r.Header.Get("Retry-After") == "" || r.errorCode() != "unavailable" {
		t.Errorf("upload with the store away: %d %s", r.Status, r.Body)
	}
	if r := s.get("/api/v1/documents/" + ids[0] + "/pages/1/image"); r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Errorf("page image with the store away: %d %s", r.Status, r.Body)
	}
	if r := s.get("/api/v1/documents/" + ids[0]); r.Status != 200 {
		t.Errorf("a record's metadata with the store away: %d %s", r.Status, r.Body)
	}
	deadline := time.Now().Add(30 * time.Second)
	var health *response
	for time.Now().Before(deadline) {
		if health = s.do("GET", "/healthz", "", nil, ""); bytes.Contains(health.Body, []byte(`"ocr"`)) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if health.Status != 503 || !bytes.Contains(health.Body, []byte("tạm dừng")) || bytes.Contains(health.Body, []byte(minio.Endpoint)) {
		t.Errorf("healthz with OCR paused: %d %s", health.Status, health.Body)
	}
	time.Sleep(8 * time.Second) // with attempts spent every 5, 10, 20 s…
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "catalog.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var jobs, spent int
	db.QueryRow("SELECT count(*), coalesce(max(attempts), 0) FROM jobs").Scan(&jobs, &spent)
	unread := 0
	for _, id := range ids {
		var d document
		s.get("/api/v1/documents/"+id).json(t, &d)
		switch d.Status {
		case "failed":
			t.Errorf("%s failed with the store away: %s", id, d.Error)
		case "queued", "processing":
			unread++
		}
	}
	if unread == 0 || jobs != unread || spent > 1 {
		t.Errorf("after the outage: %d documents unread, %d jobs, attempts up to %d; want a job for each unread, none spent", unread, jobs, spent)
	}
	t0 := time.Now()
	minio.Restart(t)
	t.Logf("minio back after %s", time.Since(t0))
	for _, id := range ids {
		if d := s.waitDone(id); d.Status != "ready" {
			t.Errorf("%s after the store came back: %s %s", id, d.Status, d.Error)
		}
	}
	t.Logf("all read %s after the restart", time.Since(t0))
	if r := s.do("GET", "/healthz", "", nil, ""); r.Status != 200 {
		t.Errorf("healthz after the store came back: %d %s", r.Status, r.Body)
	}
	if len(s.logEvents("object store back: OCR resumes")) == 0 {
		t.Error("the log does not say OCR resumed")
	}
}
