package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"time"

	"sohoa"
)

// Getter reads a blob. A missing key is an error with code sohoa.ENOTFOUND.
type Getter interface {
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

// Putter writes a blob atomically: readers see the old bytes or all the new
// ones, never a part. size is the exact length, or -1 when unknown. If r
// returns an error the put is abandoned and nothing is written.
type Putter interface {
	Put(ctx context.Context, key string, r io.Reader, size int64) error
}

// Statter tells whether a key exists and how big it is.
type Statter interface {
	Stat(ctx context.Context, key string) (Info, error)
}

// Deleter removes a key; removing a missing key is not an error.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister calls fn for every key under prefix, in lexical order. It stops
// at the first error fn returns and returns it.
type Lister interface {
	List(ctx context.Context, prefix string, fn func(key string) error) error
}

// Swapper makes a read-modify-write safe across processes and machines:
// Load returns a blob with its version, Swap writes only over that
// version. Keys written with Swap are written only with Swap.
type Swapper interface {
	// Load returns the whole blob at key and its version.
	Load(ctx context.Context, key string) ([]byte, Version, error)
	// Swap writes data at key if the blob there is still at version old
	// (Absent: if there is none) and returns the new version. When another
	// writer came first it writes nothing and returns ErrChanged.
	Swap(ctx context.Context, key string, data []byte, old Version) (Version, error)
}

// Version names one state of a blob: an S3 ETag, a digest on disk.
type Version string

// Absent is the version of a key that holds nothing.
const Absent Version = ""

// Store is the whole contract every backend implements.
type Store interface {
	Getter
	Putter
	Statter
	Deleter
	Lister
	Swapper
}

// Info describes a stored blob.
type Info struct {
	Key  string
	Size int64
}

// ErrChanged is returned by Swap when the blob is no longer at the version
// the caller read: read again and retry.
var ErrChanged = &sohoa.Error{Code: sohoa.ECONFLICT, Message: "Dữ liệu vừa được người khác thay đổi; vui lòng thử lại."}

// Unavailable wraps a failure of the store itself (unreachable, out of
// space): nothing the caller sent is at fault, and trying later may work.
func Unavailable(op, key string, err error) error {
	return &sohoa.Error{Code: sohoa.EUNAVAILABLE, Message: "Kho lưu trữ tạm thời không truy cập được; vui lòng thử lại sau.",
		Err: fmt.Errorf("%s %s: %w", op, key, err)}
}

// ErrDigestMismatch is returned by PutVerified when the bytes read do not
// hash to the promised digest.
var ErrDigestMismatch = &sohoa.Error{Code: sohoa.EINVALID, Message: "Dữ liệu bị thay đổi khi ghi (SHA-256 không khớp)."}

// PutVerified writes r under key, failing without writing anything if the
// bytes read do not hash to wantSHA256 (hex) or do not have length size.
func PutVerified(ctx context.Context, s Putter, key string, r io.Reader, size int64, wantSHA256 string) error {
	vr := &verifyingReader{r: r, h: sha256.New(), want: wantSHA256, size: size}
	if err := s.Put(ctx, key, vr, size); err != nil {
		return err
	}
	// A backend that read less than everything must not have committed.
	if !vr.verified {
		return fmt.Errorf("put %s: backend did not read to EOF", key)
	}
	return nil
}

type verifyingReader struct {
	r        io.Reader
	h        hash.Hash
	want     string
	size, n  int64
	verified bool
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if err == io.EOF {
		if v.size >= 0 && v.n != v.size {
			return n, fmt.Errorf("read %d bytes, want %d: %w", v.n, v.size, ErrDigestMismatch)
		}
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			return n, fmt.Errorf("sha256 %s, want %s: %w", got, v.want, ErrDigestMismatch)
		}
		v.verified = true
	}
	return n, err
}

// ReadAll returns the whole blob at key.
func ReadAll(ctx context.Context, s Getter, key string) ([]byte, error) {
	rc, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return b, nil
}

// GetJSON decodes the JSON blob at key into v.
func GetJSON(ctx context.Context, s Getter, key string, v any) error {
	rc, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

// PutJSON writes v as JSON at key.
func PutJSON(ctx context.Context, s Putter, key string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return PutBytes(ctx, s, key, b)
}

// PutBytes writes b at key.
func PutBytes(ctx context.Context, s Putter, key string, b []byte) error {
	return s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
}

// MaxSwapTries bounds how often Update reads again after losing a race.
const MaxSwapTries = 50

// Update applies fn to the blob at key (nil and exists false when there is
// none) and swaps the result in, reading again and calling fn again each
// time another writer came first; fn must therefore only compute. It
// returns the bytes written (or left, when fn returns ErrUnchanged).
func Update(ctx context.Context, s Swapper, key string, fn func(data []byte, exists bool) ([]byte, error)) ([]byte, error) {
	for try := 0; ; try++ {
		data, v, err := s.Load(ctx, key)
		exists := err == nil
		if err != nil && !sohoa.IsNotFound(err) {
			return nil, err
		}
		next, err := fn(data, exists)
		if errors.Is(err, ErrUnchanged) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		_, err = s.Swap(ctx, key, next, v)
		if err == nil {
			return next, nil
		}
		if !errors.Is(err, ErrChanged) || try+1 >= MaxSwapTries {
			return nil, err
		}
		// Others are writing the same key: let them through first.
		backoff := time.Duration(1+rand.IntN(1<<min(try, 6))) * time.Millisecond
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ErrUnchanged, returned by Update's fn, leaves the blob as it is.
var ErrUnchanged = errors.New("unchanged")

// UpdateJSON is Update for a JSON blob decoded into a new T.
func UpdateJSON[T any](ctx context.Context, s Swapper, key string, fn func(v *T, exists bool) error) (*T, error) {
	var out *T
	_, err := Update(ctx, s, key, func(data []byte, exists bool) ([]byte, error) {
		v := new(T)
		if exists {
			if err := json.Unmarshal(data, v); err != nil {
				return nil, fmt.Errorf("decode %s: %w", key, err)
			}
		}
		out = v
		if err := fn(v, exists); err != nil {
			return nil, err
		}
		return json.MarshalIndent(v, "", " ")
	})
	return out, err
}

// NotFound returns the error backends give for a missing key.
func NotFound(key string) error {
	return &sohoa.Error{Code: sohoa.ENOTFOUND, Message: "Không tìm thấy dữ liệu trong kho lưu trữ.", Err: fmt.Errorf("key %q", key)}
}

// ValidKey reports whether key is one a backend should accept: relative,
// slash-separated, without empty, "." or ".." segments.
func ValidKey(key string) bool {
	if key == "" || key[0] == '/' || key[len(key)-1] == '/' {
		return false
	}
	start := 0
	for i := 0; i <= len(key); i++ {
		if i == len(key) || key[i] == '/' {
			seg := key[start:i]
			if seg == "" || seg == "." || seg == ".." {
				return false
			}
			start = i + 1
		} else if key[i] == '\\' || key[i] == 0 {
			return false
		}
	}
	return true
}
