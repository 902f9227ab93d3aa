package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/jointict/councilapi/store"
)

func jsonMarshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

type gridFile struct {
	ID       bson.ObjectID `bson:"_id"`
	Length   int64         `bson:"length"`
	Metadata struct {
		SHA256   string `bson:"sha256"`
		Complete bool   `bson:"complete"`
	} `bson:"metadata"`
}

func (s *Store) findBlob(ctx context.Context, key string) (gridFile, error) {
	var f gridFile
	err := s.db.GridFSBucket().GetFilesCollection().FindOne(ctx,
		bson.D{{Key: "filename", Value: key}, {Key: "metadata.complete", Value: true}}).Decode(&f)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return f, store.ErrNotFound
	}
	return f, err
}

// PutBlob uploads to GridFS and marks the file complete only after every
// chunk is written, so a crash mid-upload never yields a readable partial blob.
func (s *Store) PutBlob(ctx context.Context, key string, r io.Reader) (store.BlobInfo, error) {
	if _, err := s.findBlob(ctx, key); err == nil {
		return store.BlobInfo{}, store.ErrExists
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.BlobInfo{}, err
	}
	bucket := s.db.GridFSBucket()
	h := sha256.New()
	id, err := bucket.UploadFromStream(ctx, key, io.TeeReader(r, h))
	if err != nil {
		return store.BlobInfo{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	var f gridFile
	err = bucket.GetFilesCollection().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "metadata.sha256", Value: sum}, {Key: "metadata.complete", Value: true}}}}).Decode(&f)
	if err != nil {
		return store.BlobInfo{}, err
	}
	return store.BlobInfo{Key: key, Size: f.Length, SHA256: sum}, nil
}

// gridBlob adds Seek to a GridFS download stream by reopening and skipping.
type gridBlob struct {
	ctx    context.Context
	bucket *mongo.GridFSBucket
	file   gridFile
	info   store.BlobInfo
	ds     *mongo.GridFSDownloadStream
	pos    int64
}

func (b *gridBlob) Info() store.BlobInfo { return b.info }

func (b *gridBlob) Read(p []byte) (int, error) {
	if b.pos >= b.info.Size {
		return 0, io.EOF
	}
	if b.ds == nil {
		ds, err := b.bucket.OpenDownloadStream(b.ctx, b.file.ID)
		if err != nil {
			return 0, err
		}
		if b.pos > 0 {
			if _, err := ds.Skip(b.pos); err != nil {
				ds.Close()
				return 0, err
			}
		}
		b.ds = ds
	}
	n, err := b.ds.Read(p)
	b.pos += int64(n)
	return n, err
}

func (b *gridBlob) Seek(offset int64, whence int) (int64, error) {
	var target int64
	switch whence {
	case io.SeekStart:
		target = offset
	case io.SeekCurrent:
		target = b.pos + offset
	case io.SeekEnd:
		target = b.info.Size + offset
	}
	if target < 0 {
		return b.pos, errors.New("blob: seek before start")
	}
	if target != b.pos && b.ds != nil {
		b.ds.Close()
		b.ds = nil
	}
	b.pos = target
	return target, nil
}

func (b *gridBlob) Close() error {
	if b.ds != nil {
		return b.ds.Close()
	}
	return nil
}

// OpenBlob opens a complete blob.
func (s *Store) OpenBlob(ctx context.Context, key string) (store.Blob, error) {
	f, err := s.findBlob(ctx, key)
	if err != nil {
		return nil, err
	}
	return &gridBlob{ctx: context.WithoutCancel(ctx), bucket: s.db.GridFSBucket(), file: f,
		info: store.BlobInfo{Key: key, Size: f.Length, SHA256: f.Metadata.SHA256}}, nil
}

// DeleteBlob removes a blob and its chunks.
func (s *Store) DeleteBlob(ctx context.Context, key string) error {
	f, err := s.findBlob(ctx, key)
	if err != nil {
		return err
	}
	return s.db.GridFSBucket().Delete(ctx, f.ID)
}
