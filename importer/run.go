package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is where and how to send.
type Config struct {
	Server string // http://host:port
	Token  string
	Unit   string
	Type   string // the documents' type, or "" for the server to propose
	// Jobs is how many documents are sent at once.
	Jobs int
	// Client sends the requests (default: one with a 100-continue wait, so
	// that a busy server refuses an upload before its body is sent).
	Client *http.Client
	// MaxWait bounds one wait the server asks for (Retry-After).
	MaxWait time.Duration
	// Attempts bounds the sends of one document that the server put off
	// (busy, rate-limited) or that did not reach it.
	Attempts int
	// Progress, when set, is told of every document done.
	Progress func(Result)
}

// Result is what became of one document.
type Result struct {
	Item     string `json:"item"`
	Status   string `json:"status"` // accepted, skipped, failed
	Document string `json:"document,omitempty"`
	Pages    int    `json:"pages,omitempty"`
	Bytes    int64  `json:"bytes"`
	// Code and Reason say why it failed (the server's code and message,
	// in Vietnamese).
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Statuses of a Result.
const (
	Accepted = "accepted"
	Skipped  = "skipped"
	Failed   = "failed"
)

// Summary is what a run did.
type Summary struct {
	Accepted int      `json:"accepted"`
	Skipped  int      `json:"skipped"`
	Failed   int      `json:"failed"`
	Pages    int      `json:"pages"`
	Bytes    int64    `json:"bytes"`
	Ignored  []string `json:"ignored,omitempty"`
	// PutOff counts the times the server asked to wait (its OCR queue
	// full, or too many requests).
	PutOff  int      `json:"put_off"`
	Results []Result `json:"results"`
	Seconds float64  `json:"seconds"`
}

// Run sends every item of the plan and says what became of each. It stops
// early only when ctx is done; what it sent stays sent.
func Run(ctx context.Context, cfg Config, plan *Plan) *Summary {
	c := newClient(cfg)
	cfg = c.cfg
	start := time.Now()
	results := make([]Result, len(plan.Items))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(cfg.Jobs, len(plan.Items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plan.Items) || ctx.Err() != nil {
					return
				}
				results[i] = c.send(ctx, plan.Items[i])
				if cfg.Progress != nil {
					cfg.Progress(results[i])
				}
			}
		}()
	}
	wg.Wait()
	s := &Summary{Ignored: plan.Ignored, Seconds: time.Since(start).Seconds(), PutOff: int(c.putOffs.Load())}
	for i, r := range results {
		if r.Status == "" { // not reached before ctx was done
			r = Result{Item: plan.Items[i].Name, Status: Failed, Bytes: plan.Items[i].Bytes(), Code: "interrupted", Reason: "Dừng trước khi gửi."}
		}
		s.Results = append(s.Results, r)
		switch r.Status {
		case Accepted:
			s.Accepted++
			s.Pages += r.Pages
			s.Bytes += r.Bytes
		case Skipped:
			s.Skipped++
		default:
			s.Failed++
		}
	}
	return s
}

func newClient(cfg Config) *client {
	if cfg.Jobs <= 0 {
		cfg.Jobs = 4
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 10 * time.Minute
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 60
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second, MaxIdleConnsPerHost: cfg.Jobs + 1,
			ResponseHeaderTimeout: 10 * time.Minute}}
	}
	return &client{cfg: cfg}
}

// WatchRead follows the documents sent (their IDs, from sent) until the
// server has read them, telling read how many pages each had; it returns
// once sent is closed and every one is read, or when ctx is done.
func WatchRead(ctx context.Context, cfg Config, sent <-chan string, read func(pages int)) {
	c := newClient(cfg)
	var pending []string
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for open := true; open || len(pending) > 0; {
		select {
		case <-ctx.Done():
			return
		case id, ok := <-sent:
			if !ok {
				open, sent = false, nil
				continue
			}
			pending = append(pending, id)
		case <-t.C:
			// the oldest first, a few at a time
			for i, asked := 0, 0; i < len(pending) && asked < 20; asked++ {
				var d document
				if err := c.get(ctx, "/api/v1/documents/"+url.PathEscape(pending[i]), &d); err != nil {
					i++
					continue
				}
				if d.Status != "ready" && d.Status != "failed" {
					i++
					continue
				}
				read(len(d.Pages))
				pending = append(pending[:i], pending[i+1:]...)
			}
		}
	}
}

type client struct {
	cfg Config
	// pause is when every sender may send again after the server asked
	// one to wait (unix nanoseconds).
	pause   atomic.Int64
	putOffs atomic.Int64
}

// apiError is an answer of the server other than success.
type apiError struct {
	status     int
	Code       string `json:"code"`
	Message    string `json:"message"`
	retryAfter time.Duration
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.Code, e.Message) }

// waitable says the server put the request off: busy, rate-limited, or
// briefly away.
func (e *apiError) waitable() bool {
	return e.status == http.StatusTooManyRequests || e.status == http.StatusServiceUnavailable ||
		e.status == http.StatusBadGateway || e.status == http.StatusGatewayTimeout
}

// send makes one document of it, unless the server holds it already.
func (c *client) send(ctx context.Context, it *Item) Result {
	r := Result{Item: it.Name, Bytes: it.Bytes()}
	fail := func(code, reason string) Result {
		r.Status, r.Code, r.Reason = Failed, code, reason
		return r
	}
	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx); err != nil {
			return fail("interrupted", "Dừng trước khi gửi xong.")
		}
		// What the server holds is asked first, and again after a send
		// whose answer was lost: it may have been taken.
		held, err := c.held(ctx, it)
		if err == nil && held != nil {
			if held.partial {
				return fail("partly_imported", fmt.Sprintf("Máy chủ đã có %d/%d tệp của thư mục này (hồ sơ %s); kiểm tra lại trước khi nhập tiếp.",
					held.files, len(it.Files), held.id))
			}
			r.Status, r.Document, r.Pages = Skipped, held.id, held.pages
			return r
		}
		if err == nil {
			var doc *document
			doc, err = c.upload(ctx, it)
			if err == nil {
				r.Status, r.Document, r.Pages = Accepted, doc.ID, max(len(doc.Pages), 1)
				return r
			}
		}
		var ae *apiError
		switch {
		case ctx.Err() != nil:
			return fail("interrupted", "Dừng trước khi gửi xong.")
		case errors.As(err, &ae) && ae.waitable():
			if attempt >= c.cfg.Attempts {
				return fail(ae.Code, ae.Message)
			}
			c.putOffs.Add(1)
			c.putOff(ae.retryAfter)
		case errors.As(err, &ae):
			return fail(ae.Code, ae.Message)
		case errors.Is(err, errLocal):
			return fail("unreadable", err.Error())
		default: // the server not reached, or the answer lost
			if attempt >= c.cfg.Attempts {
				return fail("unreachable", "Không kết nối được máy chủ: "+err.Error())
			}
			c.putOff(backoff(attempt))
		}
	}
}

// errLocal marks a file of the clerk's that could not be read.
var errLocal = errors.New("tệp không đọc được")

// putOff makes every sender wait d (at most MaxWait), with some jitter so
// that they do not come back at once.
func (c *client) putOff(d time.Duration) {
	d = min(max(d, time.Second), c.cfg.MaxWait)
	until := time.Now().Add(d + time.Duration(rand.Int64N(int64(d/4)+1))).UnixNano()
	for {
		cur := c.pause.Load()
		if cur >= until || c.pause.CompareAndSwap(cur, until) {
			return
		}
	}
}

func (c *client) wait(ctx context.Context) error {
	d := time.Until(time.Unix(0, c.pause.Load()))
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func backoff(attempt int) time.Duration {
	return min(time.Second<<min(attempt-1, 6), time.Minute)
}

// document is as much of the server's document as the import reads.
type document struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Pages  []struct {
		Source string `json:"source"`
	} `json:"pages"`
}

// holding is the document the server keeps an item's files in.
type holding struct {
	id           string
	pages, files int
	partial      bool
}

// held asks the server, by SHA-256, which document holds the item's files:
// nil when none does.
func (c *client) held(ctx context.Context, it *Item) (*holding, error) {
	var found *holding
	for _, f := range it.Files {
		sha, err := f.SHA256()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errLocal, f.Name, err)
		}
		var list struct {
			Documents []document `json:"documents"`
		}
		if err := c.get(ctx, "/api/v1/documents?limit=1&sha256="+sha, &list); err != nil {
			return nil, err
		}
		switch {
		case len(list.Documents) == 0 && found != nil:
			found.partial = true
		case len(list.Documents) == 0:
		case found == nil:
			d := list.Documents[0]
			found = &holding{id: d.ID, pages: len(d.Pages), files: 1}
		default:
			found.files++
		}
	}
	if found != nil && found.files < len(it.Files) {
		found.partial = true
	}
	return found, nil
}

// upload sends the item as one document, its files streamed.
func (c *client) upload(ctx context.Context, it *Item) (*document, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(c.writeForm(mw, it))
	}()
	req, err := http.NewRequestWithContext(ctx, "POST", c.cfg.Server+"/api/v1/documents", pr)
	if err != nil {
		pr.Close()
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Expect", "100-continue")
	var doc document
	err = c.do(req, &doc)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

func (c *client) writeForm(mw *multipart.Writer, it *Item) error {
	fields := [][2]string{{"title", it.Title}, {"unit_id", c.cfg.Unit}}
	if c.cfg.Type != "" {
		fields = append(fields, [2]string{"type", c.cfg.Type})
	}
	for _, kv := range fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			return err
		}
	}
	for _, f := range it.Files {
		w, err := mw.CreateFormFile("file", baseName(f.Name))
		if err != nil {
			return err
		}
		r, err := f.Open()
		if err != nil {
			return fmt.Errorf("%w: %s: %v", errLocal, f.Name, err)
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	return mw.Close()
}

func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}

func (c *client) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.cfg.Server+path, nil)
	if err != nil {
		return err
	}
	return c.do(req, into)
}

// do sends req with the token and reads a JSON answer into into, or the
// server's error.
func (c *client) do(req *http.Request, into any) error {
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && errors.Is(ue.Err, errLocal) {
			return ue.Err
		}
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var wrapped struct {
			Error *apiError `json:"error"`
		}
		e := &apiError{status: resp.StatusCode}
		wrapped.Error = e
		if json.Unmarshal(body, &wrapped) != nil || e.Code == "" {
			e.Code, e.Message = strconv.Itoa(resp.StatusCode), strings.TrimSpace(string(body))
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			e.retryAfter = time.Duration(s) * time.Second
		} else if e.waitable() {
			e.retryAfter = 30 * time.Second
		}
		return e
	}
	return json.Unmarshal(body, into)
}
