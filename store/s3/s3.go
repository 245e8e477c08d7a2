// Package s3 is the blob store on an S3-compatible object store (MinIO or
// any other), through minio-go. It uses only what S3 itself promises: single
// PUTs are atomic, a missing key answers NoSuchKey, listings are lexical.
package s3

import (
	"context"
	"fmt"
	"io"
	"net/http"

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
	})
	if err != nil {
		return nil, fmt.Errorf("open s3 store %s: %w", cfg.Endpoint, err)
	}
	s := &Store{client: client, bucket: cfg.Bucket}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("open s3 store: bucket %s: %w", cfg.Bucket, err)
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

// translate maps minio-go's "no such key" to sohoa's, before any wrapping:
// ToErrorResponse does not unwrap.
func translate(key string, err error) error {
	if err == nil {
		return nil
	}
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound {
		return store.NotFound(key)
	}
	return fmt.Errorf("s3 %s: %w", key, err)
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
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, translate(key, err)
	}
	// GetObject reports a missing key only on Stat or the first read.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, translate(key, err)
	}
	return obj, nil
}

func (s *Store) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := checkKey(key); err != nil {
		return store.Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return store.Info{}, translate(key, err)
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
	return translate(key, err)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := translate(key, s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}))
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
			return fmt.Errorf("s3 list %s: %w", prefix, obj.Err)
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
	return ctx.Err()
}
