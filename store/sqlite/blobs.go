package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jointict/councilapi/store"
)

// PutBlob streams r to a temporary file, syncs it, renames it into place and
// only then records it, so a crash at any point leaves either no blob or a
// complete one (a stray file at worst, never a listed partial blob). Each
// upload gets a file name of its own: two writers of one key (two processes
// on one data directory) never replace each other's bytes, the row decides.
func (s *Store) PutBlob(ctx context.Context, key string, r io.Reader) (store.BlobInfo, error) {
	tmp, err := os.CreateTemp(s.blobDir, ".upload-*")
	if err != nil {
		return store.BlobInfo{}, err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return store.BlobInfo{}, err
	}
	keyHash := sha256.Sum256([]byte(key))
	file := hex.EncodeToString(keyHash[:16]) + "-" + store.NewID()
	info := store.BlobInfo{Key: key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	var existing string
	err = s.db.QueryRowContext(ctx, `SELECT key FROM blobs WHERE key = ?`, key).Scan(&existing)
	if err == nil {
		return store.BlobInfo{}, store.ErrExists
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.BlobInfo{}, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.blobDir, file)); err != nil {
		return store.BlobInfo{}, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO blobs (key, file, size, sha256) VALUES (?, ?, ?, ?)`,
		key, file, info.Size, info.SHA256); err != nil {
		os.Remove(filepath.Join(s.blobDir, file))
		if strings.Contains(err.Error(), "UNIQUE constraint failed: blobs.key") {
			return store.BlobInfo{}, store.ErrExists // another writer recorded the key first
		}
		return store.BlobInfo{}, err
	}
	return info, nil
}

var _ store.LocalFile = fileBlob{}

type fileBlob struct {
	*os.File
	info store.BlobInfo
}

func (b fileBlob) Info() store.BlobInfo { return b.info }

// LocalPath is the blob's own file (absolute, since the data directory is
// made absolute at Open), for callers that memory-map it.
func (b fileBlob) LocalPath() string { return b.Name() }

// OpenBlob opens a stored blob for reading and seeking.
func (s *Store) OpenBlob(ctx context.Context, key string) (store.Blob, error) {
	info := store.BlobInfo{Key: key}
	var file string
	err := s.db.QueryRowContext(ctx, `SELECT file, size, sha256 FROM blobs WHERE key = ?`, key).Scan(&file, &info.Size, &info.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(s.blobDir, file))
	if err != nil {
		return nil, err
	}
	return fileBlob{File: f, info: info}, nil
}

// DeleteBlob forgets a blob, then removes its file.
func (s *Store) DeleteBlob(ctx context.Context, key string) error {
	var file string
	err := s.db.QueryRowContext(ctx, `DELETE FROM blobs WHERE key = ? RETURNING file`, key).Scan(&file)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	return os.Remove(filepath.Join(s.blobDir, file))
}
