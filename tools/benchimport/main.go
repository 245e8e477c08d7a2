// Command benchimport measures a backlog's import as a clerk runs it: n
// pages drawn for the run (internal/samples, new names and numbers each
// time) are sent with `sohoa import` to a `sohoa serve` on 127.0.0.1, and
// read there; beside it, bare `tesseract -l vie` reads the same pages on
// the same cores. It prints pages a minute of both, the importer's own CPU
// time and peak memory, and checks that an import killed (kill -9) at
// random moments, three times, then run to its end, holds every file once.
//
// Run it with `make bench-import` (bin/sohoa must be built).
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"sohoa/internal/samples"
)

func main() {
	n := flag.Int("n", 1000, "pages to import")
	workers := flag.Int("workers", 2, "OCR workers of the server, and tesseract processes beside it")
	out := flag.String("out", "", "also write the table to this Markdown file")
	flag.Parse()
	bin, _ := filepath.Abs("bin/sohoa")
	if _, err := os.Stat(bin); err != nil {
		fail("build bin/sohoa first (make build)")
	}
	work, err := os.MkdirTemp("", "benchimport-")
	check(err)
	defer os.RemoveAll(work)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 9))
	pages, more := filepath.Join(work, "kho"), filepath.Join(work, "kho-2")
	files, bytes := draw(rng, pages, *n, "p")
	moreFiles, _ := draw(rng, more, max(30, *n/10), "q")
	fmt.Fprintf(os.Stderr, "benchimport: %d pages drawn (%.0f MB), seed %d\n", *n, float64(bytes)/1e6, seed)

	// Bare tesseract on the same pages and cores.
	t0 := time.Now()
	var wg sync.WaitGroup
	next := make(chan string)
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				cmd := exec.Command("tesseract", f, "-", "-l", "vie")
				cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
				if o, err := cmd.CombinedOutput(); err != nil {
					fail(fmt.Sprintf("tesseract %s: %v\n%s", f, err, o))
				}
			}
		}()
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	bare := time.Since(t0)
	fmt.Fprintf(os.Stderr, "benchimport: bare tesseract %v\n", bare.Round(time.Second))

	// The server, and a clerk's token.
	data := filepath.Join(work, "data")
	srv := exec.Command(bin, "serve")
	srv.Env = append(os.Environ(), "SOHOA_ADDR=127.0.0.1:0", "SOHOA_DATA="+data, "SOHOA_ADMIN_TOKEN=bench-admin-token-0123456789",
		"SOHOA_OCR_WORKERS="+fmt.Sprint(*workers), "SOHOA_LOG_LEVEL=warn", "SOHOA_MAX_QUEUE=200")
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = os.Stderr
	check(srv.Start())
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	base := ""
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if base == "" {
		fail("the server did not start")
	}
	tokenFile := filepath.Join(work, "token")
	check(os.WriteFile(tokenFile, []byte("bench-admin-token-0123456789"), 0o600))
	importArgs := []string{"import", "-server", base, "-token-file", tokenFile, "-unit", "SGD", "-jobs", "4"}

	// The backlog in one run, until the server has read every page.
	t1 := time.Now()
	cmd := exec.Command(bin, append(importArgs, "-json", pages)...)
	var summary struct {
		Accepted, Failed int
		PutOff           int `json:"put_off"`
	}
	o, err := cmd.Output()
	if err != nil || json.Unmarshal(o, &summary) != nil {
		fail(fmt.Sprintf("import: %v\n%s", err, o))
	}
	usage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	sent := time.Since(t1)
	waitRead(base)
	all := time.Since(t1)
	fmt.Fprintf(os.Stderr, "benchimport: imported and read in %v\n", all.Round(time.Second))

	// Another batch: three runs killed at random moments, then one to its
	// end; every file must be held once.
	for k := range 3 {
		cmd := exec.Command(bin, append(importArgs, more)...)
		check(cmd.Start())
		time.Sleep(time.Duration(500+rng.IntN(8000)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		fmt.Fprintf(os.Stderr, "benchimport: import killed (%d)\n", k+1)
	}
	var last struct{ Accepted, Skipped, Failed int }
	o, err = exec.Command(bin, append(importArgs, "-json", more)...).Output()
	if err != nil || json.Unmarshal(o, &last) != nil {
		fail(fmt.Sprintf("import after the kills: %v\n%s", err, o))
	}
	waitRead(base)
	dups, missing := 0, 0
	for _, f := range append(files, moreFiles...) {
		switch h := held(base, f); {
		case h == 0:
			missing++
		case h > 1:
			dups++
		}
	}
	ready, failed := count(base, "ready"), count(base, "failed")

	var b strings.Builder
	fmt.Fprintf(&b, "%d pages drawn for the run (seed %d, %.0f MB of 300 dpi PNG), %d cores, %d OCR workers.\n\n", *n, seed, float64(bytes)/1e6, runtimeCores(), *workers)
	fmt.Fprintf(&b, "| | wall time | pages/minute | speed against bare tesseract |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| bare `tesseract -l vie`, %d at once | %v | %.1f | 1.00 |\n", *workers, bare.Round(time.Second), float64(*n)/bare.Minutes())
	fmt.Fprintf(&b, "| `sohoa import` until the server has read every page (cleaning, reading order, fields proposed, index) | %v | %.1f | %.2f |\n",
		all.Round(time.Second), float64(*n)/all.Minutes(), bare.Seconds()/all.Seconds())
	fmt.Fprintf(&b, "\nThe importer: %v sending (%d sent, %d failed; the server said busy %d times, its queue bound 200), CPU %.1f s user + %.1f s system, peak memory %.0f MB.\n",
		sent.Round(time.Second), summary.Accepted, summary.Failed, summary.PutOff, tv(usage.Utime), tv(usage.Stime), float64(usage.Maxrss)/1024)
	fmt.Fprintf(&b, "A second batch of %d pages, the importer killed (kill -9) three times at random moments, then run to its end (%d sent, %d already there): %d files held twice, %d missing, of all %d; %d documents ready, %d failed.\n",
		len(moreFiles), last.Accepted, last.Skipped, dups, missing, len(files)+len(moreFiles), ready, failed)
	os.Stdout.WriteString(b.String())
	if *out != "" {
		check(os.WriteFile(*out, []byte(b.String()), 0o644))
	}
	if dups > 0 || missing > 0 {
		os.Exit(1)
	}
}

// draw writes n pages drawn for the run into dir, 100 a folder.
func draw(rng *rand.Rand, dir string, n int, prefix string) ([]string, int64) {
	kinds := []string{samples.KindVanBan, samples.KindVanBang, samples.KindSoGoc}
	var files []string
	var bytes int64
	for i := range n {
		d := samples.Generate(rng, kinds[i%3], fmt.Sprintf("%s%04d", prefix, i+1))
		img, _ := samples.PNG(d)
		sub := filepath.Join(dir, fmt.Sprintf("hop-%02d", i/100+1))
		check(os.MkdirAll(sub, 0o755))
		name := filepath.Join(sub, d.ID+".png")
		check(os.WriteFile(name, img, 0o644))
		files = append(files, name)
		bytes += int64(len(img))
	}
	return files, bytes
}

// waitRead waits until the server has no document left to read.
func waitRead(base string) {
	for deadline := time.Now().Add(3 * time.Hour); time.Now().Before(deadline); time.Sleep(2 * time.Second) {
		if count(base, "queued")+count(base, "processing") == 0 {
			return
		}
	}
	fail("the server did not read everything within 3 hours")
}

func runtimeCores() int {
	n, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(n), "processor\t")
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func get(base, path string, v any) error {
	req, _ := http.NewRequestWithContext(context.Background(), "GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer bench-admin-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// count is how many documents have status, paging through them.
func count(base, status string) int {
	n, cursor := 0, ""
	for range 1000 {
		var page struct {
			Documents []json.RawMessage `json:"documents"`
			Next      string            `json:"next_cursor"`
		}
		if get(base, "/api/v1/documents?limit=500&status="+status+"&cursor="+cursor, &page) != nil {
			return -1
		}
		n += len(page.Documents)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	return n
}

func held(base, file string) int {
	b, err := os.ReadFile(file)
	check(err)
	var list struct {
		Documents []json.RawMessage `json:"documents"`
	}
	if get(base, "/api/v1/documents?limit=10&sha256="+sha(b), &list) != nil {
		return -1
	}
	return len(list.Documents)
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "benchimport:", msg)
	os.Exit(1)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
