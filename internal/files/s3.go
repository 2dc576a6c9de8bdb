package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"gongkai"
)

// S3 stores files in a bucket of an S3-compatible service (MinIO, Ceph,
// AWS, and the Chinese clouds' object storage), as objects files/ab/abcdef…
// named by their SHA-256 like the files of Disk, so a bucket can be filled
// by copying a data directory.
type S3 struct {
	client *minio.Client
	bucket string
	name   string // http(s)://host:port/bucket, for the log
}

// s3Spec is what an s3:// spec says.
type s3Spec struct {
	endpoint, access, secret, bucket, region string
	secure                                   bool
}

// parseS3Spec reads s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET?secure=false&region=….
// Its errors never contain the secret key.
func parseS3Spec(spec string) (*s3Spec, error) {
	const form = "s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET?secure=false&region=…"
	bad := func(format string, args ...any) error {
		return fmt.Errorf("files: bad s3 store %s: %s (want %s)", Redact(spec), fmt.Sprintf(format, args...), form)
	}
	u, err := url.Parse(spec)
	if err != nil {
		// url.Error repeats the whole URL, secret included; keep only the cause.
		var cause error = err
		var ue *url.Error
		if errors.As(err, &ue) {
			cause = ue.Err
		}
		return nil, bad("%v", cause)
	}
	if u.Scheme != "s3" {
		return nil, bad("scheme is not s3")
	}
	s := &s3Spec{endpoint: u.Host, secure: true}
	if u.User != nil {
		s.access = u.User.Username()
		s.secret, _ = u.User.Password()
	}
	if s.access == "" || s.secret == "" {
		return nil, bad("no access key or secret key; write a / in the secret key as %%2F")
	}
	if u.Hostname() == "" {
		return nil, bad("no HOST")
	}
	s.bucket = strings.TrimPrefix(u.Path, "/")
	if s.bucket == "" || strings.Contains(s.bucket, "/") {
		return nil, bad("the path must be one bucket name")
	}
	if err := s3utils.CheckValidBucketNameStrict(s.bucket); err != nil {
		return nil, bad("bucket %q: %v", s.bucket, err)
	}
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "secure":
			if s.secure, err = strconv.ParseBool(v); err != nil {
				return nil, bad("secure=%q is not true or false", v)
			}
		case "region":
			s.region = v
		default:
			return nil, bad("unknown parameter %q", k)
		}
	}
	return s, nil
}

// NewS3 connects to the bucket that spec names, creating the bucket when it
// is missing. spec is s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET with the
// optional parameters secure (default true: HTTPS) and region.
func NewS3(ctx context.Context, spec string) (*S3, error) {
	sp, err := parseS3Spec(spec)
	if err != nil {
		return nil, err
	}
	client, err := minio.New(sp.endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(sp.access, sp.secret, ""),
		Secure: sp.secure,
		Region: sp.region,
	})
	if err != nil {
		return nil, fmt.Errorf("files: s3 client for %s: %w", sp.endpoint, err)
	}
	s := &S3{client: client, bucket: sp.bucket, name: client.EndpointURL().String() + "/" + sp.bucket}
	// minio-go retries a server it cannot reach; do not wait for ever at start.
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ok, err := client.BucketExists(ctx, sp.bucket)
	if err != nil {
		return nil, fmt.Errorf("files: %s: %w", s.name, err)
	}
	if !ok {
		err := client.MakeBucket(ctx, sp.bucket, minio.MakeBucketOptions{Region: sp.region})
		// Another instance starting at the same moment may have made it.
		if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou {
			return nil, fmt.Errorf("files: %s: create bucket: %w", s.name, err)
		}
	}
	return s, nil
}

// String names the store for the log, without credentials.
func (s *S3) String() string { return s.name }

// object is the object name of key.
func object(key string) string { return "files/" + key[:2] + "/" + key }

// Put reads at most max bytes from r into a temporary file, to hash it and
// check its type by content, then uploads it unless the bucket already holds
// the same bytes. Files over max or of a type not allowed are refused with
// ETOOLARGE or EINVALID and nothing is uploaded.
func (s *S3) Put(ctx context.Context, r io.Reader, filename string, max int64) (*Stored, error) {
	tmp, st, err := spool("", r, filename, max)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }() // a spool file, uploaded or not
	name := object(st.Key)
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	switch {
	case err == nil && info.Size == st.Size:
		return st, nil // content-addressed: same key, same bytes
	case err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey:
		return nil, fmt.Errorf("files: s3 stat %s: %w", name, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := s.client.PutObject(ctx, s.bucket, name, tmp, st.Size, minio.PutObjectOptions{ContentType: st.ContentType}); err != nil {
		return nil, fmt.Errorf("files: s3 put %s: %w", name, err)
	}
	return st, nil
}

// Open returns the stored bytes of key, read from the bucket as they are
// needed; seeking sends a ranged request, so http.ServeContent can answer
// Range requests without reading the whole object.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if !validKey(key) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "文件不存在。")
	}
	obj, err := s.client.GetObject(ctx, s.bucket, object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("files: s3 get %s: %w", key, err)
	}
	// GetObject sends nothing yet; Stat makes the request and reports a missing object.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close() // nothing was read; the Stat error is the one to report
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, gongkai.Errorf(gongkai.ENOTFOUND, "文件不存在。")
		}
		return nil, fmt.Errorf("files: s3 get %s: %w", key, err)
	}
	return obj, nil
}

// Delete removes the object of key; a missing object is not an error. What
// the service keeps after a delete (versions of a versioned bucket,
// replicas, its own disks) is the service's: a bucket for gongkai should
// not keep versions.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return nil
	}
	err := s.client.RemoveObject(ctx, s.bucket, object(key), minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("files: s3 delete %s: %w", key, err)
	}
	return nil
}
