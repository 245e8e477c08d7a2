package importer

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Meter shows a run's progress: files, pages, megabytes, pages the server
// has read, the rate and the time left; a bar on a terminal, a plain line
// every ten seconds elsewhere (a log, a pipe).
type Meter struct {
	out                      io.Writer
	files                    int
	bytes                    int64
	start                    time.Time
	doneFiles, pages, failed atomic.Int64
	doneBytes, readPages     atomic.Int64
	mu                       sync.Mutex
	bar                      *progressbar.ProgressBar
}

// NewMeter makes the meter of plan, drawn on out.
func NewMeter(out io.Writer, terminal bool, plan *Plan) *Meter {
	m := &Meter{out: out, files: len(plan.Items), start: time.Now()}
	for _, it := range plan.Items {
		m.bytes += it.Bytes()
	}
	if terminal {
		m.bar = progressbar.NewOptions64(m.bytes, progressbar.OptionSetWriter(out), progressbar.OptionShowBytes(true),
			progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(24), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionShowElapsedTimeOnFinish(), progressbar.OptionSetDescription(m.line(false)))
	}
	return m
}

// Done counts one document done.
func (m *Meter) Done(r Result) {
	m.doneFiles.Add(1)
	m.doneBytes.Add(r.Bytes)
	switch r.Status {
	case Accepted, Skipped:
		m.pages.Add(int64(r.Pages))
	default:
		m.failed.Add(1)
	}
	if m.bar != nil {
		m.mu.Lock()
		m.bar.Describe(m.line(false))
		m.bar.Add64(r.Bytes)
		m.mu.Unlock()
	}
}

// Read counts pages the server has read.
func (m *Meter) Read(pages int) { m.readPages.Add(int64(pages)) }

// line is the progress as words: with stats, the rate and time left too.
func (m *Meter) line(stats bool) string {
	s := fmt.Sprintf("tệp %d/%d · %d trang · máy chủ đã đọc %d trang", m.doneFiles.Load(), m.files, m.pages.Load(), m.readPages.Load())
	if f := m.failed.Load(); f > 0 {
		s += fmt.Sprintf(" · %d lỗi", f)
	}
	if !stats {
		return s
	}
	done, el := m.doneBytes.Load(), time.Since(m.start)
	s += fmt.Sprintf(" · %.1f/%.1f MB", float64(done)/1e6, float64(m.bytes)/1e6)
	if el > time.Second && done > 0 {
		rate := float64(done) / el.Seconds()
		left := time.Duration(float64(m.bytes-done)/rate) * time.Second
		s += fmt.Sprintf(" · %.2f MB/s · %.0f trang/phút · còn khoảng %s", rate/1e6, float64(m.pages.Load())/el.Minutes(), left.Round(time.Second))
	}
	return s
}

// Run redraws until ctx is done: the bar's words (the server's pages come
// in between documents), or a plain line every ten seconds.
func (m *Meter) Run(ctx context.Context) {
	every := 10 * time.Second
	if m.bar != nil {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if m.bar != nil {
				m.mu.Lock()
				m.bar.Describe(m.line(false))
				m.mu.Unlock()
			} else {
				fmt.Fprintln(m.out, "nhập:", m.line(true))
			}
		}
	}
}

// Finish ends the bar.
func (m *Meter) Finish() {
	if m.bar != nil {
		m.mu.Lock()
		m.bar.Describe(m.line(false))
		m.bar.Finish()
		fmt.Fprintln(m.out)
		m.mu.Unlock()
	} else {
		fmt.Fprintln(m.out, "nhập:", m.line(true))
	}
}
