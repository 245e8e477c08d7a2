// Package fs is the local-disk blob store, the embedded default: every key is
// a file under one root directory. Writes go through a temporary file that is
// fsynced and renamed into place, then the directory is fsynced, so a crash
// leaves the old blob or the new one, never a part.
package fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sohoa"
	"sohoa/store"
)

// Store keeps blobs under Root. Temporary files live in Root/.tmp and swap
// locks in Root/.locks, which List never shows. Failures of the disk itself
// (full, read-only, I/O errors) are sohoa.EUNAVAILABLE.
type Store struct {
	root string
}

const tmpDir = ".tmp"

// Open returns a store rooted at dir, creating it if needed.
func Open(dir string) (*Store, error) {
	for _, d := range []string{tmpDir, lockDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o750); err != nil {
			return nil, fmt.Errorf("open fs store: %w", err)
		}
	}
	return &Store{root: dir}, nil
}

func (s *Store) path(key string) (string, error) {
	if !store.ValidKey(key) || strings.HasPrefix(key, tmpDir+"/") || strings.HasPrefix(key, lockDir+"/") {
		return "", sohoa.Errorf(sohoa.EINVALID, "Khóa lưu trữ không hợp lệ: %q.", key)
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, store.NotFound(key)
	}
	if err != nil {
		return nil, store.Unavailable("get", key, err)
	}
	return f, nil
}

func (s *Store) Stat(ctx context.Context, key string) (store.Info, error) {
	p, err := s.path(key)
	if err != nil {
		return store.Info{}, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return store.Info{}, store.NotFound(key)
	}
	if err != nil {
		return store.Info{}, store.Unavailable("stat", key, err)
	}
	if fi.IsDir() {
		return store.Info{}, store.NotFound(key)
	}
	return store.Info{Key: key, Size: fi.Size()}, nil
}

func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	return s.write(ctx, key, p, r, size)
}

// write puts r at path p through a temporary file, fsynced, renamed into
// place, its directory fsynced.
func (s *Store) write(ctx context.Context, key, p string, r io.Reader, size int64) (err error) {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return store.Unavailable("put", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return store.Unavailable("put", key, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := io.Copy(tmp, readerWithContext{ctx, r})
	var we *writeError
	if errors.As(err, &we) {
		return store.Unavailable("put", key, we.err)
	}
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err) // the reader's failure: the caller's
	}
	if size >= 0 && n != size {
		return fmt.Errorf("put %s: wrote %d bytes, want %d", key, n, size)
	}
	if err = tmp.Sync(); err != nil {
		return store.Unavailable("put", key, err)
	}
	if err = tmp.Close(); err != nil {
		return store.Unavailable("put", key, err)
	}
	if err = os.Rename(tmp.Name(), p); err != nil {
		return store.Unavailable("put", key, err)
	}
	if err = syncDir(dir); err != nil {
		return store.Unavailable("put", key, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return store.Unavailable("delete", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, prefix string, fn func(key string) error) error {
	// Walk from the deepest directory the prefix names completely.
	base := s.root
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		base = filepath.Join(s.root, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if key == tmpDir || key == lockDir {
				return filepath.SkipDir
			}
			// Skip directories that cannot hold a key with the prefix.
			if key != "." && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return listStop{err}
		}
		return nil
	})
	if err != nil && !errors.Is(err, ctx.Err()) {
		var stop listStop
		if errors.As(err, &stop) {
			return stop.err
		}
		return store.Unavailable("list", prefix, err)
	}
	return err
}

// listStop carries fn's own error through WalkDir, told apart from the
// disk's.
type listStop struct{ err error }

func (l listStop) Error() string { return l.err.Error() }

// readerWithContext stops a copy when ctx is done.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// WriteTo keeps io.Copy from using the temporary file's ReadFrom, so that
// a failed write is told apart from a failed read.
func (r readerWithContext) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, &writeError{werr}
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
