package api

import (
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/store"
)

// serveBlob sends a stored file the way download clients expect: a strong
// ETag from its SHA-256, Last-Modified, 304 on If-None-Match or
// If-Modified-Since, byte ranges (resumable downloads), Content-Length and a
// Content-Disposition file name. http.ServeContent implements the
// conditional and range logic; gzip is applied by the middleware only when
// no Range is asked for (see gzipSkipper), since ranges address the
// uncompressed bytes.
func serveBlob(c echo.Context, b store.Blob, fileName, mediaType string, modified time.Time) error {
	defer b.Close()
	h := c.Response().Header()
	h.Set("ETag", fmt.Sprintf(`"%s"`, b.Info().SHA256))
	h.Set(echo.HeaderContentType, mediaType)
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": fileName}))
	h.Set("Cache-Control", "public, max-age=300")
	http.ServeContent(c.Response(), c.Request(), fileName, modified, b)
	return nil
}

// gzipSkipper leaves ranged requests and already-compressed files alone.
func gzipSkipper(c echo.Context) bool {
	r := c.Request()
	return r.Header.Get("Range") != "" || r.Header.Get("If-Range") != ""
}
