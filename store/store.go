package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"strconv"

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

// Store is the whole contract every backend implements.
type Store interface {
	Getter
	Putter
	Statter
	Deleter
	Lister
}

// Info describes a stored blob.
type Info struct {
	Key  string
	Size int64
}

// Keys of the layout described in the package documentation.
func OriginalKey(sha string) string { return "originals/sha256/" + sha }
func ManifestKey(id string) string  { return "documents/" + id + "/manifest.json" }
func TextKey(id string) string      { return "documents/" + id + "/text.txt" }

// ManifestRevisionKey is where revision rev of a manifest is kept for good.
func ManifestRevisionKey(id string, rev int) string {
	return fmt.Sprintf("documents/%s/revisions/%06d.json", id, rev)
}
func PageOCRKey(id string, n int) string {
	return "documents/" + id + "/pages/" + strconv.Itoa(n) + "/ocr.json"
}

// DocumentsPrefix is where every manifest lives.
const DocumentsPrefix = "documents/"

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
	return s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
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
