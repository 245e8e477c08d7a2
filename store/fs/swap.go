package fs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"sohoa/store"
)

// A swap holds an flock(2) on one of lockStripes files under Root/.locks,
// chosen by the key, while it compares and renames: processes on this
// machine sharing the directory exclude each other, goroutines too (each
// opens its own descriptor). The version of a blob is its SHA-256.
const (
	lockDir     = ".locks"
	lockStripes = 256
)

func version(data []byte) store.Version {
	sum := sha256.Sum256(data)
	return store.Version(hex.EncodeToString(sum[:16]))
}

func (s *Store) Load(ctx context.Context, key string) ([]byte, store.Version, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, store.Absent, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, store.Absent, store.NotFound(key)
	}
	if err != nil {
		return nil, store.Absent, store.Unavailable("load", key, err)
	}
	return data, version(data), nil
}

func (s *Store) Swap(ctx context.Context, key string, data []byte, old store.Version) (store.Version, error) {
	p, err := s.path(key)
	if err != nil {
		return store.Absent, err
	}
	unlock, err := s.lock(key)
	if err != nil {
		return store.Absent, store.Unavailable("lock", key, err)
	}
	defer unlock()
	cur, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if old != store.Absent {
			return store.Absent, fmt.Errorf("swap %s: gone: %w", key, store.ErrChanged)
		}
	case err != nil:
		return store.Absent, store.Unavailable("swap", key, err)
	case old == store.Absent || version(cur) != old:
		return store.Absent, fmt.Errorf("swap %s: %w", key, store.ErrChanged)
	}
	if err := s.write(ctx, key, p, bytesReader(data), int64(len(data))); err != nil {
		return store.Absent, err
	}
	return version(data), nil
}

func (s *Store) lock(key string) (unlock func(), err error) {
	h := fnv.New32a()
	h.Write([]byte(key))
	name := filepath.Join(s.root, lockDir, fmt.Sprintf("%02x", h.Sum32()%lockStripes))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	// Closing the descriptor releases the lock.
	return func() { f.Close() }, nil
}
