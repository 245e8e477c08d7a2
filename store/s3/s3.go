// Package s3 is the blob store on an S3-compatible object store (MinIO or
// any other), through minio-go. It uses only what S3 itself promises: single
// PUTs are atomic, a missing key answers NoSuchKey, listings are lexical,
// a PUT with If-Match or If-None-Match is refused when the object changed.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"sohoa"
	"sohoa/store"
)

// Config says where the bucket is.
type Config struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	TLS       bool
	Region    string
}

// Store keeps blobs in one bucket.
type Store struct {
	client *minio.Client
	bucket string
}

// Open connects to the endpoint and creates the bucket if it is missing.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
		// Three tries (0.2, 0.4, 0.8 s apart) ride out a blip; minio-go's ten
		// kept a clerk waiting five seconds for a store that is down. Callers
		// retry what matters: the workers pause and resume, clients get a
		// 503 with Retry-After.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("open s3 store %s: %w", cfg.Endpoint, err)
	}
	s := &Store{client: client, bucket: cfg.Bucket}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("open s3 store: bucket %s: %w", cfg.Bucket, translate(ctx, "open", cfg.Bucket, err))
	}
	if !exists {
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if err != nil {
			// Another node may have made it meanwhile.
			code := minio.ToErrorResponse(err).Code
			if code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
				return nil, fmt.Errorf("open s3 store: make bucket %s: %w", cfg.Bucket, err)
			}
		}
	}
	return s, nil
}

// translate maps minio-go's errors to sohoa's, before any wrapping
// (ToErrorResponse does not unwrap): no such key, a lost conditional
// write, and the store away (no answer, or a 5xx) as sohoa.EUNAVAILABLE.
func translate(ctx context.Context, op, key string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("s3 %s %s: %w", op, key, ctx.Err())
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound:
		return store.NotFound(key)
	case resp.Code == "PreconditionFailed" || resp.StatusCode == http.StatusPreconditionFailed ||
		resp.Code == "ConditionalRequestConflict":
		return fmt.Errorf("s3 %s %s: %w", op, key, store.ErrChanged)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || unreachable(err):
		return store.Unavailable("s3 "+op, key, err)
	}
	return fmt.Errorf("s3 %s %s: %w", op, key, err)
}

// unreachable reports whether err is the network's: no connection, a
// reset, a timeout, an answer cut short.
func unreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

func checkKey(key string) error {
	if !store.ValidKey(key) {
		return sohoa.Errorf(sohoa.EINVALID, "Khóa lưu trữ không hợp lệ: %q.", key)
	}
	return nil
}

func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, head, err := s.get(ctx, key, 32<<10)
	if err != nil {
		return nil, err
	}
	return &object{Reader: io.MultiReader(bytes.NewReader(head), obj), obj: obj, ctx: ctx, key: key}, nil
}

// get opens key and reads up to n bytes of it, so that a missing key is
// found here, by the GET itself: a Stat before the first read would be a
// request of its own, and the GET after it one conditional on the ETag the
// Stat saw, failing when a writer came between.
func (s *Store) get(ctx context.Context, key string, n int) (*minio.Object, []byte, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, nil, translate(ctx, "get", key, err)
	}
	head := make([]byte, n)
	k, err := io.ReadFull(obj, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		obj.Close()
		return nil, nil, translate(ctx, "get", key, err)
	}
	return obj, head[:k], nil
}

// object reads a GET's body, translating the errors of a store that
// breaks it off.
type object struct {
	io.Reader
	obj *minio.Object
	ctx context.Context
	key string
}

func (o *object) Read(p []byte) (int, error) {
	n, err := o.Reader.Read(p)
	if err != nil && err != io.EOF {
		err = translate(o.ctx, "read", o.key, err)
	}
	return n, err
}

func (o *object) Close() error { return o.obj.Close() }

func (s *Store) Load(ctx context.Context, key string) ([]byte, store.Version, error) {
	if err := checkKey(key); err != nil {
		return nil, store.Absent, err
	}
	obj, head, err := s.get(ctx, key, 64<<10)
	if err != nil {
		return nil, store.Absent, err
	}
	defer obj.Close()
	rest, err := io.ReadAll(obj)
	if err != nil {
		return nil, store.Absent, translate(ctx, "load", key, err)
	}
	// Read to the end, Stat answers from the GET's own headers (earlier it
	// would also shrink the size the object reads up to).
	info, err := obj.Stat()
	if err != nil {
		return nil, store.Absent, translate(ctx, "load", key, err)
	}
	return append(head, rest...), store.Version(info.ETag), nil
}

// Swap is a PUT with If-Match on the ETag read (If-None-Match: * for a new
// key), which S3 and MinIO refuse with 412 when another writer came first.
func (s *Store) Swap(ctx context.Context, key string, data []byte, old store.Version) (store.Version, error) {
	if err := checkKey(key); err != nil {
		return store.Absent, err
	}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: 64 << 20}
	if old == store.Absent {
		opts.SetMatchETagExcept("*")
	} else {
		opts.SetMatchETag(string(old))
	}
	info, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), opts)
	err = translate(ctx, "swap", key, err)
	if sohoa.IsNotFound(err) { // If-Match on a key deleted meanwhile
		err = fmt.Errorf("s3 swap %s: gone: %w", key, store.ErrChanged)
	}
	if err != nil {
		return store.Absent, err
	}
	return store.Version(info.ETag), nil
}

func (s *Store) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := checkKey(key); err != nil {
		return store.Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return store.Info{}, translate(ctx, "stat", key, err)
	}
	return store.Info{Key: key, Size: oi.Size}, nil
}

func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		// Up to 64 MiB goes as one PUT (atomic, no multipart left behind).
		PartSize: 64 << 20,
	})
	return translate(ctx, "put", key, err)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := translate(ctx, "delete", key, s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}))
	if sohoa.IsNotFound(err) {
		return nil
	}
	return err
}

func (s *Store) List(ctx context.Context, prefix string, fn func(key string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn fails
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return translate(ctx, "list", prefix, obj.Err)
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
	return ctx.Err()
}
