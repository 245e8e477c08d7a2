package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"sohoa"
	"sohoa/ingest/propose"
	"sohoa/ingest/scan"
	"sohoa/store"
)

// cellReading is a Recognizer that reads a page's cells again, alone
// (ocr.Engine).
type cellReading interface {
	CellReader(img []byte) func(sohoa.Box, string) (string, float64, bool)
}

// pageTask asks an OCR worker to read one page.
type pageTask struct {
	ctx  context.Context
	m    *sohoa.Manifest
	page sohoa.Page
	done chan<- pageResult
}

type pageResult struct {
	page int
	pt   *sohoa.PageText
	err  error
}

// permanentError is a failure that no retry will mend: a damaged image.
// Its message is for the clerk.
type permanentError struct{ msg string }

func (e *permanentError) Error() string { return e.msg }

// Run starts the OCR workers and feeds them jobs until ctx is done. It makes
// the recognizers first, one after another, and returns an error if one
// cannot be made. Jobs left running by a process that died are queued again.
// started, if not nil, is called once the workers are ready.
//
// A job leaves the queue only once its outcome (ready, or failed with a
// reason) is in the store. While the store is away the work pauses, the
// jobs' attempts untouched, and resumes by itself when it is back.
func (s *Service) Run(ctx context.Context, started func()) error {
	recs := make([]Recognizer, 0, s.cfg.Workers)
	defer func() {
		for _, r := range recs {
			r.Close()
		}
	}()
	for range s.cfg.Workers {
		r, err := s.cfg.NewRecognizer()
		if err != nil {
			return fmt.Errorf("start OCR worker: %w", err)
		}
		recs = append(recs, r)
	}
	if n, err := s.cat.RequeueRunning(ctx); err != nil {
		return fmt.Errorf("requeue jobs: %w", err)
	} else if n > 0 {
		s.log.Info("resuming jobs interrupted by a stop", "jobs", n)
	}
	if started != nil {
		started()
	}
	tasks := make(chan pageTask)
	var workers sync.WaitGroup
	for _, r := range recs {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for t := range tasks {
				pt, err := s.recognizePage(t.ctx, r, t.m, t.page)
				t.done <- pageResult{t.page.Number, pt, err}
			}
		}()
	}
	// As many documents in flight as workers keeps every worker busy, even
	// on a single long document, without holding many half-done ones.
	slots := make(chan struct{}, s.cfg.Workers)
	var jobs sync.WaitGroup
	defer func() {
		jobs.Wait()
		close(tasks)
		workers.Wait()
	}()
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		if err := s.waitForStore(ctx); err != nil {
			return nil
		}
		job, ok, err := s.cat.ClaimJob(ctx, s.now())
		if err != nil && ctx.Err() == nil {
			s.log.Error("claim job", "err", err)
		}
		if !ok {
			<-slots
			select {
			case <-ctx.Done():
				return nil
			case <-s.wake:
			case <-poll.C:
			}
			continue
		}
		jobs.Add(1)
		go func() {
			defer func() { <-slots; jobs.Done() }()
			s.process(ctx, job, tasks)
		}()
	}
}

// process takes one document from queued to ready or failed, and leaves
// the job in the queue unless that outcome is written.
func (s *Service) process(ctx context.Context, job sohoa.Job, tasks chan<- pageTask) {
	id := job.DocumentID
	log := s.log.With("document", id, "attempt", job.Attempts)
	bg := context.WithoutCancel(ctx)
	err := s.processDocument(ctx, id, tasks)
	var perm *permanentError
	switch {
	case err == nil:
		if err := s.cat.FinishJob(bg, id); err != nil {
			log.Error("finish job", "err", err) // run again after a restart, and found done
		}
		return
	case ctx.Err() != nil:
		// Stopping: put the job back for the next start, its attempt not spent.
		s.release(bg, log, id, time.Time{}, "stopped")
		return
	case isUnavailable(err):
		s.pauseFor(err)
		s.release(bg, log, id, time.Time{}, "store unavailable")
		return
	case !errors.As(err, &perm) && job.Attempts < s.cfg.MaxAttempts:
		delay := s.cfg.RetryBase << min(job.Attempts-1, 10)
		log.Warn("document will be retried", "err", err, "in", delay)
		if err := s.cat.RetryJob(bg, id, s.now().Add(delay), err.Error()); err != nil {
			log.Error("retry job", "err", err)
		}
		return
	}
	reason := "Không xử lý được văn bản sau nhiều lần thử, vui lòng báo quản trị viên."
	if perm != nil {
		reason = perm.msg
	}
	log.Warn("document failed", "reason", reason, "err", err)
	if err := s.setStatus(bg, id, sohoa.StatusFailed, reason); err != nil && !sohoa.IsNotFound(err) {
		// The outcome is not written: the job stays, to be tried again.
		log.Error("mark failed", "err", err)
		if isUnavailable(err) {
			s.pauseFor(err)
		}
		s.release(bg, log, id, s.now().Add(s.cfg.RetryBase), "could not record the failure")
		return
	}
	if err := s.cat.FinishJob(bg, id); err != nil {
		log.Error("finish job", "err", err)
	}
}

func (s *Service) release(ctx context.Context, log interface{ Error(string, ...any) }, id string, at time.Time, reason string) {
	if err := s.cat.ReleaseJob(ctx, id, at, reason); err != nil {
		log.Error("requeue job", "err", err)
	}
}

// pause is why and since when the workers wait for the store.
type pause struct {
	since time.Time
	err   error
}

func (s *Service) pauseFor(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused == nil {
		s.paused = &pause{since: s.now(), err: err}
		s.log.Warn("object store unavailable: OCR paused until it is back", "err", err)
	}
}

// Paused says why OCR is paused, or nil when it is not.
func (s *Service) Paused() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused == nil {
		return nil
	}
	return &sohoa.Error{Code: sohoa.EUNAVAILABLE, Err: s.paused.err,
		Message: fmt.Sprintf("Nhận dạng tạm dừng từ %s: kho lưu trữ không truy cập được.", s.paused.since.In(sohoa.Vietnam).Format("15:04:05 02/01/2006"))}
}

// waitForStore returns at once unless the workers are paused; then it asks
// the store, less and less often, until it answers or ctx is done.
func (s *Service) waitForStore(ctx context.Context) error {
	for delay := s.cfg.StoreProbe; s.Paused() != nil; delay = min(2*delay, 16*s.cfg.StoreProbe) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		if _, err := s.store.Stat(ctx, store.HealthKey); err == nil || sohoa.IsNotFound(err) {
			s.mu.Lock()
			s.log.Info("object store back: OCR resumes", "paused_for", s.now().Sub(s.paused.since).Round(time.Second).String())
			s.paused = nil
			s.mu.Unlock()
		}
	}
	return nil
}

func (s *Service) processDocument(ctx context.Context, id string, tasks chan<- pageTask) error {
	m, err := s.Manifest(ctx, id)
	if sohoa.IsNotFound(err) {
		s.log.Info("job for a deleted document dropped", "document", id)
		return nil
	}
	if err != nil {
		return err
	}
	if m.Status == sohoa.StatusReady || m.Status == sohoa.StatusFailed {
		return nil // done before a crash lost the job's end
	}
	if m.Status != sohoa.StatusProcessing {
		if err := s.setStatus(ctx, id, sohoa.StatusProcessing, ""); err != nil {
			return err
		}
	}
	texts, err := s.readPages(ctx, m, tasks)
	if err != nil {
		return err
	}
	pages := make([]string, len(texts))
	for i, t := range texts {
		pages[i] = t.Text
	}
	full := strings.Join(pages, "\f")
	if err := s.store.Put(ctx, store.TextKey(id), strings.NewReader(full), int64(len(full))); err != nil {
		return err
	}
	return s.finish(ctx, m, pages, texts)
}

// readPages returns what OCR read on every page of m, reading those not
// read before a stop; a permanent failure wins over a passing one. Pages
// are handed to the workers and their results taken as they come, so that
// the progress noted follows the pages read.
func (s *Service) readPages(ctx context.Context, m *sohoa.Manifest, tasks chan<- pageTask) ([]*sohoa.PageText, error) {
	texts := make([]*sohoa.PageText, len(m.Pages))
	var pending []sohoa.Page
	for _, p := range m.Pages {
		var pt sohoa.PageText
		err := store.GetJSON(ctx, s.store, store.PageOCRKey(m.ID, p.Number), &pt)
		switch {
		case err == nil:
			texts[p.Number-1] = &pt // read before a stop: never twice
		case sohoa.IsNotFound(err):
			pending = append(pending, p)
		default:
			return nil, err
		}
	}
	read := len(m.Pages) - len(pending)
	s.progress(ctx, m.ID, read)
	done := make(chan pageResult, len(pending))
	var firstErr error
	for sent, got := 0, 0; got < len(pending); {
		var send chan<- pageTask // nil, never ready, once all are sent
		var task pageTask
		if sent < len(pending) {
			send, task = tasks, pageTask{ctx, m, pending[sent], done}
		}
		select {
		case send <- task:
			sent++
		case r := <-done:
			got++
			var perm *permanentError
			switch {
			case r.err == nil:
				texts[r.page-1] = r.pt
				read++
				s.progress(ctx, m.ID, read)
			case firstErr == nil || (errors.As(r.err, &perm) && !errors.As(firstErr, &perm)):
				firstErr = r.err
			}
		case <-ctx.Done():
			drain(done, sent-got)
			return nil, ctx.Err()
		}
	}
	return texts, firstErr
}

// progress notes, for the clerk watching, how many pages of id are read.
func (s *Service) progress(ctx context.Context, id string, n int) {
	if err := s.cat.SetPagesRead(context.WithoutCancel(ctx), id, n); err != nil {
		s.log.Warn("note progress", "document", id, "err", err)
	}
}

// finish indexes a read document with its record and marks it ready.
// Indexing comes first, so that a crash between the two indexes again
// rather than never; if the record changed meanwhile, it is indexed again.
func (s *Service) finish(ctx context.Context, read *sohoa.Manifest, pages []string, texts []*sohoa.PageText) error {
	if err := s.idx.Put(ctx, read.IndexDocument(pages)); err != nil {
		return err
	}
	proposed := propose.Propose(read.Type, texts)
	m, err := s.updateManifest(ctx, read.ID, func(m *sohoa.Manifest) error {
		// What was read for the type the document had when read; the
		// clerk confirms it (Accept).
		if m.Type == read.Type {
			m.Proposed, m.Entries = proposed.Fields, proposed.Entries
			if m.Type == "" {
				m.ProposedType = proposed.Type
			}
		}
		for i, t := range texts {
			c := round(t.Confidence)
			m.Pages[i].OCRConfidence = &c
			m.Pages[i].Rotation = t.Rotation
			if t.Blank && !slices.Contains(m.Pages[i].Warnings, BlankPageWarning) {
				m.Pages[i].Warnings = append(m.Pages[i].Warnings, BlankPageWarning)
			}
		}
		m.SetStatus(sohoa.StatusReady, s.now(), "")
		return nil
	})
	if sohoa.IsNotFound(err) { // deleted while it was read
		return s.idx.Delete(ctx, read.ID)
	}
	if err != nil {
		return fmt.Errorf("set %s ready: %w", read.ID, err)
	}
	if err := s.cat.PutDocument(ctx, m.Document(), false); err != nil {
		return err
	}
	if m.Title != read.Title || m.Type != read.Type || fmt.Sprint(m.Metadata) != fmt.Sprint(read.Metadata) {
		if err := s.reindex(ctx, m.ID); err != nil {
			return err
		}
	}
	s.log.Info("document indexed", "document", m.ID, "pages", len(pages))
	return nil
}

// BlankPageWarning tells the clerk a page was found blank and not read.
const BlankPageWarning = "Trang trắng (có thể là mặt sau để trống của bản quét hai mặt), không nhận dạng. Nếu trang có nội dung, hãy quét lại."

func drain(done <-chan pageResult, n int) {
	for range n {
		<-done
	}
}

// recognizePage reads one page, checks it and runs OCR, then keeps the
// result in the store.
func (s *Service) recognizePage(ctx context.Context, r Recognizer, m *sohoa.Manifest, p sohoa.Page) (*sohoa.PageText, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if p.Unreadable != "" {
		return nil, &permanentError{fmt.Sprintf("Trang %d: %s.", p.Number, strings.TrimSuffix(p.Unreadable, "."))}
	}
	img, err := store.ReadAll(ctx, s.store, store.OriginalKey(p.SHA256))
	if err != nil {
		return nil, fmt.Errorf("page %d: %w", p.Number, err)
	}
	if err := scan.Check(img, p.ContentType); err != nil {
		return nil, &permanentError{fmt.Sprintf("Trang %d: tệp ảnh bị hỏng hoặc không đầy đủ, vui lòng quét lại (%v).", p.Number, err)}
	}
	frames, err := scan.Inspect(bytes.NewReader(img), int64(len(img)), p.ContentType)
	if err != nil || len(frames) != 1 {
		return nil, &permanentError{fmt.Sprintf("Trang %d: không đọc được kích thước ảnh, vui lòng quét lại (%v).", p.Number, err)}
	}
	if frames[0].Pixels() > s.cfg.MaxPixels {
		return nil, &permanentError{fmt.Sprintf("Trang %d: ảnh %d×%d điểm ảnh vượt giới hạn.", p.Number, frames[0].Width, frames[0].Height)}
	}
	pt, err := r.Recognize(img)
	if err != nil {
		return nil, &permanentError{fmt.Sprintf("Trang %d: không giải mã được ảnh để nhận dạng, vui lòng quét lại (%v).", p.Number, err)}
	}
	pt.Document, pt.Page = m.ID, p.Number
	// A register's rows are read while the page's image is at hand: its
	// numbers in doubt are read again from their cells.
	var reread propose.Reread
	if c, ok := r.(cellReading); ok {
		reread = c.CellReader(img)
	}
	pt.Entries = propose.PageEntries(m.Type, p.Number, pt, reread)
	// A page read is kept even if a stop began meanwhile: it is never read twice.
	if err := store.PutJSON(context.WithoutCancel(ctx), s.store, store.PageOCRKey(m.ID, p.Number), pt); err != nil {
		return nil, fmt.Errorf("page %d: %w", p.Number, err)
	}
	s.log.Info("page recognised", "document", m.ID, "page", p.Number, "seconds", round(pt.Seconds), "confidence", round(pt.Confidence), "words", len(pt.Words))
	return pt, nil
}

func round(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// setStatus moves a document to status in its manifest, then the catalog;
// a document deleted meanwhile keeps its tombstone.
func (s *Service) setStatus(ctx context.Context, id string, status sohoa.Status, reason string) error {
	m, err := s.updateManifest(ctx, id, func(m *sohoa.Manifest) error {
		m.SetStatus(status, s.now(), reason)
		return nil
	})
	if err != nil {
		return fmt.Errorf("set %s %s: %w", id, status, err)
	}
	return s.cat.PutDocument(ctx, m.Document(), false)
}
