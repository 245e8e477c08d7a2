// Package watch takes the scans dropped in a folder (a scanner's network
// share): DIR/<unit ID>/… holds a unit's scans, each file a document. A
// file is taken once complete (its size and time unchanged for a while),
// then moved to DIR/<unit>/done/, or to DIR/<unit>/failed/ with a reason
// beside it, in Vietnamese, for the clerk. A file accepted just before a
// stop is found again by its SHA-256 on the next start and moved, not sent
// twice.
package watch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sohoa"
	"sohoa/records"
)

// Records is what the watcher does with a file: the same services as the
// API's.
type Records interface {
	Upload(ctx context.Context, p *sohoa.Principal, form sohoa.UploadForm) (*records.Uploaded, error)
	List(ctx context.Context, p *sohoa.Principal, q records.ListQuery) (*sohoa.DocumentList, error)
}

// Units finds a unit by ID.
type Units interface {
	Unit(ctx context.Context, id string) (*sohoa.Unit, error)
}

// Folders where files go once taken.
const (
	Done   = "done"
	Failed = "failed"
)

// ReasonSuffix ends the name of the file that says why a file failed.
const ReasonSuffix = ".ly-do.txt"

// Watcher watches Dir.
type Watcher struct {
	Dir string
	// Settle is how long a file must keep its size and time to be taken.
	Settle  time.Duration
	Records Records
	Units   Units
	Log     *slog.Logger

	seen map[string]seen
}

type seen struct {
	size  int64
	mtime time.Time
	since time.Time
}

// Run looks at Dir every half Settle until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	if w.Settle <= 0 {
		w.Settle = 5 * time.Second
	}
	w.seen = map[string]seen{}
	t := time.NewTicker(max(w.Settle/2, 200*time.Millisecond))
	defer t.Stop()
	for {
		w.scan(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// scan takes every file that has settled.
func (w *Watcher) scan(ctx context.Context) {
	units, err := os.ReadDir(w.Dir)
	if err != nil {
		w.Log.Warn("watch folder unreadable", "dir", w.Dir, "err", err)
		return
	}
	now := time.Now()
	present := map[string]bool{}
	for _, u := range units {
		if !u.IsDir() || sohoa.Clutter(u.Name()) {
			continue
		}
		base := filepath.Join(w.Dir, u.Name())
		filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil || ctx.Err() != nil {
				return nil
			}
			rel, _ := filepath.Rel(base, path)
			if d.IsDir() {
				if path != base && (sohoa.Clutter(d.Name()) || rel == Done || rel == Failed) {
					return filepath.SkipDir
				}
				return nil
			}
			if sohoa.Clutter(d.Name()) || partial(d.Name()) || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			present[path] = true
			s, ok := w.seen[path]
			if !ok || s.size != info.Size() || !s.mtime.Equal(info.ModTime()) {
				w.seen[path] = seen{info.Size(), info.ModTime(), now}
				return nil
			}
			if now.Sub(s.since) >= w.Settle {
				if w.take(ctx, u.Name(), base, rel) {
					delete(w.seen, path)
				}
			}
			return nil
		})
	}
	for path := range w.seen {
		if !present[path] {
			delete(w.seen, path)
		}
	}
}

// take sends one settled file, and moves it where it belongs; false when
// it is to be tried again later (the service busy or away).
func (w *Watcher) take(ctx context.Context, unitID, base, rel string) bool {
	path := filepath.Join(base, rel)
	unit, err := w.Units.Unit(ctx, unitID)
	if sohoa.IsNotFound(err) {
		return w.fail(base, rel, fmt.Sprintf("Thư mục %q không mang mã của đơn vị nào. Đặt tệp vào thư mục mang mã đơn vị (ví dụ %s/<mã đơn vị>/).", unitID, filepath.Base(w.Dir)))
	}
	if err != nil {
		w.Log.Warn("watch: unit not read", "unit", unitID, "err", err)
		return false
	}
	p := &sohoa.Principal{UserID: "watch", Username: "thư mục theo dõi", Role: sohoa.RoleClerk, UnitID: unit.ID, UnitPath: unit.Path,
		Address: "watch folder"}
	sha, err := fileSHA(path)
	if err != nil {
		w.Log.Warn("watch: file not read", "file", rel, "err", err)
		return false
	}
	// Accepted before a stop, not yet moved: it is here already.
	if list, err := w.Records.List(ctx, p, records.ListQuery{SHA256: sha, Limit: 1}); err != nil {
		w.Log.Warn("watch: catalog not read", "err", err)
		return false
	} else if len(list.Documents) > 0 {
		return w.done(base, rel, list.Documents[0].ID)
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	title := strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel))
	up, err := w.Records.Upload(ctx, p, &fileForm{fields: [][2]string{{"title", title}, {"unit_id", unit.ID}}, name: filepath.Base(rel), file: f})
	switch code := sohoa.ErrorCode(err); {
	case err == nil:
		f.Close()
		return w.done(base, rel, up.Documents[0].ID)
	case code == sohoa.EBUSY || code == sohoa.EUNAVAILABLE || code == sohoa.EINTERNAL || ctx.Err() != nil:
		w.Log.Warn("watch: upload put off", "file", rel, "code", code, "err", err)
		return false
	default:
		f.Close()
		return w.fail(base, rel, sohoa.ErrorMessage(err))
	}
}

func (w *Watcher) done(base, rel, id string) bool {
	to, err := moveTo(base, Done, rel)
	if err != nil {
		w.Log.Error("watch: file not moved", "file", rel, "err", err)
		return false
	}
	w.Log.Info("watch: file taken", "file", rel, "document", id, "moved_to", to)
	return true
}

func (w *Watcher) fail(base, rel, reason string) bool {
	to, err := moveTo(base, Failed, rel)
	if err != nil {
		w.Log.Error("watch: file not moved", "file", rel, "err", err)
		return false
	}
	if err := os.WriteFile(to+ReasonSuffix, []byte(reason+"\n"), 0o644); err != nil {
		w.Log.Error("watch: reason not written", "file", rel, "err", err)
	}
	w.Log.Warn("watch: file refused", "file", rel, "moved_to", to)
	return true
}

// moveTo moves base/rel to base/folder/rel, a free name beside it when one
// of that name is there already ("a (2).jpg"), and returns where.
func moveTo(base, folder, rel string) (string, error) {
	to := filepath.Join(base, folder, rel)
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return "", err
	}
	ext := filepath.Ext(to)
	stem := strings.TrimSuffix(to, ext)
	for i := 2; i < 1000; i++ {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		to = fmt.Sprintf("%s (%d)%s", stem, i, ext)
	}
	return to, os.Rename(filepath.Join(base, rel), to)
}

func fileSHA(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// partial names a file still being written by a tool that renames it
// when done.
func partial(name string) bool {
	for _, ext := range []string{".part", ".tmp", ".crdownload", ".partial", ".filepart"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return true
		}
	}
	return false
}

// fileForm is an upload form of fields and one file.
type fileForm struct {
	fields [][2]string
	name   string
	file   io.Reader
	next   int
}

func (f *fileForm) Next() (*sohoa.FormPart, error) {
	defer func() { f.next++ }()
	switch {
	case f.next < len(f.fields):
		kv := f.fields[f.next]
		return &sohoa.FormPart{Field: kv[0], Body: strings.NewReader(kv[1])}, nil
	case f.next == len(f.fields):
		return &sohoa.FormPart{Field: "file", Filename: f.name, Body: f.file}, nil
	}
	return nil, io.EOF
}
