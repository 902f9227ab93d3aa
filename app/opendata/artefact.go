package opendata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync/atomic"

	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
)

// A spatial version's OGC API index is persisted as an immutable artefact
// blob beside its downloads (gis/ogc's format: features pre-encoded in
// R-tree order, the tree, id lookup and postings). Publishing writes it;
// every instance serves it memory-mapped, so a restart serves a collection
// in a fraction of a second instead of re-parsing its GeoJSON, and resident
// memory does not grow with the number of published points.

// artefactWriter builds an artefact on its own goroutine from batches of
// features sent to in and streams it into a blob; close in, then wait.
type artefactWriter struct {
	in      chan []outFeature
	done    chan struct{}
	aborted atomic.Bool
	info    ogc.ArtefactInfo
	err     error
}

var errArtefactAborted = errors.New("the upload failed; its OGC API index was not kept")

func (s *Service) startArtefact(ctx context.Context, key string) *artefactWriter {
	w := &artefactWriter{in: make(chan []outFeature, 4), done: make(chan struct{})}
	pr, pw := io.Pipe()
	stored := make(chan error, 1)
	go func() {
		_, err := s.st.PutBlob(ctx, key, pr)
		pr.CloseWithError(err)
		stored <- err
	}()
	go func() {
		defer close(w.done)
		info, err := ogc.BuildArtefact(pw, w.features(), ogc.IndexOptions{})
		for range w.in {
			// BuildArtefact stopped early: keep the sender from blocking.
		}
		// A failed build closes the pipe with its error, so no partial blob
		// is ever stored under the key.
		pw.CloseWithError(err)
		if serr := <-stored; err == nil {
			err = serr
		}
		w.info, w.err = info, err
	}()
	return w
}

// features yields the features of each batch sent on in, and an error at
// the end when the writer was aborted, so the build fails and stores nothing.
func (w *artefactWriter) features() iter.Seq2[ogc.Feature, error] {
	return func(yield func(ogc.Feature, error) bool) {
		for batch := range w.in {
			for _, f := range batch {
				if !yield(ogc.Feature{ID: f.id, Geometry: f.geom, Properties: f.props}, nil) {
					return
				}
			}
		}
		if w.aborted.Load() {
			yield(ogc.Feature{}, errArtefactAborted)
		}
	}
}

// finish closes the input and waits for the stored artefact.
func (w *artefactWriter) finish() (ogc.ArtefactInfo, error) {
	close(w.in)
	<-w.done
	return w.info, w.err
}

// abort closes the input so that the build fails and waits for it.
func (w *artefactWriter) abort() {
	w.aborted.Store(true)
	close(w.in)
	<-w.done
}

// openArtefact serves a version's artefact: mapped from the blob's own file
// when the store keeps blobs as files (SQLite), otherwise copied to a
// temporary file first (MongoDB's GridFS) and mapped from there.
func (s *Service) openArtefact(ctx context.Context, datasetID string, n int) (*ogc.Index, error) {
	b, err := s.st.OpenBlob(ctx, FileKey(datasetID, n, artefactExt))
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if p, ok := store.LocalPath(b); ok {
		return ogc.OpenArtefactFile(p)
	}
	return ogc.OpenArtefactStream(b, b.Info().Size, ogc.OpenOptions{})
}

// artefactOf opens a version's artefact, first building and storing it from
// the GeoJSON download when it is missing or unreadable (versions published
// before artefacts existed, or a file damaged on disk). Two instances doing
// this at once both build; the second store finds the key taken and opens
// the first's.
func (s *Service) artefactOf(ctx context.Context, datasetID string, n int) (*ogc.Index, error) {
	ix, err := s.openArtefact(ctx, datasetID, n)
	var bad *ogc.ArtefactError
	switch {
	case err == nil:
		return ix, nil
	case errors.As(err, &bad):
		s.log.Warn("OGC API artefact unreadable; rebuilding it from the download", "dataset", datasetID, "version", n, "err", err)
		if derr := s.st.DeleteBlob(ctx, FileKey(datasetID, n, artefactExt)); derr != nil {
			return nil, fmt.Errorf("%w (and it cannot be removed: %v)", err, derr)
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if err := s.rebuildArtefact(ctx, datasetID, n); err != nil && !errors.Is(err, store.ErrExists) {
		return nil, fmt.Errorf("building the OGC API index from the download: %w", err)
	}
	return s.openArtefact(ctx, datasetID, n)
}

func (s *Service) rebuildArtefact(ctx context.Context, datasetID string, n int) error {
	rd, closeDownload, err := s.openDownloadReader(ctx, datasetID, n)
	if err != nil {
		return err
	}
	defer closeDownload()
	pr, pw := io.Pipe()
	go func() {
		_, err := ogc.BuildArtefact(pw, ogc.FromIngest(rd), ogc.IndexOptions{})
		pw.CloseWithError(err)
	}()
	_, err = s.st.PutBlob(ctx, FileKey(datasetID, n, artefactExt), pr)
	pr.CloseWithError(err)
	return err
}

// openDownloadReader reads a version's GeoJSON download as features.
func (s *Service) openDownloadReader(ctx context.Context, datasetID string, n int) (ingest.Reader, func(), error) {
	b, err := s.st.OpenBlob(ctx, FileKey(datasetID, n, "geojson"))
	if err != nil {
		return nil, nil, err
	}
	ra, cleanup, err := readerAt(b)
	if err != nil {
		b.Close()
		return nil, nil, err
	}
	rd, err := ingest.Open(ingest.FormatGeoJSON, ra, b.Info().Size, ingest.Options{})
	if err != nil {
		cleanup()
		b.Close()
		return nil, nil, err
	}
	return rd, func() { rd.Close(); cleanup(); b.Close() }, nil
}

// IndexFromDownload builds the OGC API index of a dataset's version n from
// its GeoJSON download, in memory: to check that the artefact publishing
// wrote serves the same features as the download holds.
func (s *Service) IndexFromDownload(ctx context.Context, datasetID string, n int) (*ogc.Index, error) {
	rd, closeDownload, err := s.openDownloadReader(ctx, datasetID, n)
	if err != nil {
		return nil, err
	}
	defer closeDownload()
	return ogc.NewIndex(ogc.FromIngest(rd), ogc.IndexOptions{})
}
