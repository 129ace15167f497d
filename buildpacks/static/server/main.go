// paas-static-server serves a static site from a directory: correct content types, index.html for
// directories, clean URLs (/about serves about.html) when asked, a 404 page, gzip for text, ETag and
// Last-Modified for caching. It listens on $PORT. Settings come from static.json at the app's root:
//
//	{ "root": "public", "clean_urls": true, "error_page": "404.html", "headers": { "/assets/**": { "Cache-Control": "max-age=31536000" } } }
//
// Usage: paas-static-server [APP_DIR] (default: the working directory).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

type settings struct {
	Root      string                       `json:"root"`
	CleanURLs bool                         `json:"clean_urls"`
	ErrorPage string                       `json:"error_page"`
	Headers   map[string]map[string]string `json:"headers"`
}

// Types the Go table may lack or get wrong on a bare system (no /etc/mime.types in the run image).
var extraTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
	".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".json": "application/json",
	".map": "application/json", ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
	".xml": "application/xml", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".wasm": "application/wasm",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".pdf": "application/pdf",
	".webmanifest": "application/manifest+json", ".csv": "text/csv; charset=utf-8", ".mp4": "video/mp4", ".webm": "video/webm",
	".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".zip": "application/zip", ".gz": "application/gzip",
}

func compressible(contentType string) bool {
	t := strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0])
	return strings.HasPrefix(t, "text/") || t == "application/json" || t == "application/xml" ||
		t == "image/svg+xml" || t == "application/manifest+json" || t == "application/wasm"
}

// gzipCache keeps compressed bodies of files already served, keyed by path, size and time.
type gzipCache struct {
	mu      sync.Mutex
	entries map[string][]byte
	bytes   int
}

const gzipCacheLimit = 64 << 20
const gzipMaxFile = 8 << 20

func (c *gzipCache) get(key string, open func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	body, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return body, nil
	}
	raw, err := open()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	body = buf.Bytes()
	c.mu.Lock()
	if c.bytes+len(body) <= gzipCacheLimit {
		c.entries[key] = body
		c.bytes += len(body)
	}
	c.mu.Unlock()
	return body, nil
}

type server struct {
	root     string
	settings settings
	gz       *gzipCache
}

// resolve finds the file for a URL path: the file itself, a directory's index.html, or with clean
// URLs the path plus .html. Paths with a dot segment (other than .well-known) are never served.
func (s *server) resolve(urlPath string) (file string, info fs.FileInfo, dirIndex bool, ok bool) {
	clean := path.Clean("/" + urlPath)
	for _, seg := range strings.Split(clean, "/") {
		if strings.HasPrefix(seg, ".") && seg != ".well-known" {
			return "", nil, false, false
		}
	}
	full := filepath.Join(s.root, filepath.FromSlash(clean))
	candidates := []string{full}
	if st, err := os.Stat(full); err == nil && st.IsDir() {
		candidates = []string{filepath.Join(full, "index.html")}
		dirIndex = true
	} else if s.settings.CleanURLs && !strings.HasSuffix(clean, ".html") {
		candidates = append(candidates, full+".html")
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, st, dirIndex, true
		}
	}
	return "", nil, false, false
}

func contentType(file string) string {
	ext := strings.ToLower(filepath.Ext(file))
	if t, ok := extraTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// matches reports whether a URL path matches a static.json headers pattern (`*` one segment, `**` any).
func matches(pattern, p string) bool {
	if strings.HasSuffix(pattern, "/**") {
		return p == strings.TrimSuffix(pattern, "/**") || strings.HasPrefix(p, strings.TrimSuffix(pattern, "**"))
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	file, info, dirIndex, ok := s.resolve(r.URL.Path)
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
		file, info, _, ok = s.resolve("/" + s.settings.ErrorPage)
		if !ok {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "404 not found\n")
			return
		}
	}
	// A directory asked for without its slash gets it, so relative links in its index.html work.
	if dirIndex && !strings.HasSuffix(r.URL.Path, "/") {
		target := path.Clean("/"+r.URL.Path) + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	h := w.Header()
	ctype := contentType(file)
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	for pattern, headers := range s.settings.Headers {
		if matches(pattern, r.URL.Path) {
			for k, v := range headers {
				h.Set(k, v)
			}
		}
	}
	useGzip := compressible(ctype) && info.Size() > 256 && info.Size() <= gzipMaxFile &&
		strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if compressible(ctype) {
		h.Add("Vary", "Accept-Encoding")
	}
	if status != http.StatusOK {
		body, err := os.ReadFile(file)
		if err != nil {
			http.Error(w, "500 internal error", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(status)
		if r.Method == http.MethodGet {
			w.Write(body)
		}
		return
	}
	etag := fmt.Sprintf(`"%x-%x"`, info.ModTime().UnixNano(), info.Size())
	if useGzip {
		key := fmt.Sprintf("%s|%d|%d", file, info.Size(), info.ModTime().UnixNano())
		body, err := s.gz.get(key, func() ([]byte, error) { return os.ReadFile(file) })
		if err != nil {
			http.Error(w, "500 internal error", http.StatusInternalServerError)
			return
		}
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", strings.TrimSuffix(etag, `"`)+`-gz"`)
		http.ServeContent(w, r, "", info.ModTime(), bytes.NewReader(body))
		return
	}
	f, err := os.Open(file)
	if err != nil {
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", info.ModTime(), f)
}

func loadSettings(appDir string) (settings, error) {
	s := settings{Root: ".", ErrorPage: "404.html"}
	raw, err := os.ReadFile(filepath.Join(appDir, "static.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("static.json: %w", err)
	}
	if s.Root == "" {
		s.Root = "."
	}
	if s.ErrorPage == "" {
		s.ErrorPage = "404.html"
	}
	return s, nil
}

func main() {
	appDir := "."
	if len(os.Args) > 1 {
		appDir = os.Args[1]
	}
	cfg, err := loadSettings(appDir)
	if err != nil {
		log.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join(appDir, filepath.FromSlash(cfg.Root)))
	if err != nil {
		log.Fatal(err)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "5000"
	}
	srv := &http.Server{
		Addr:              ":" + port,
		Handler:           &server{root: root, settings: cfg, gz: &gzipCache{entries: map[string][]byte{}}},
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	log.Printf("serving %s on port %s", root, port)
	log.Fatal(srv.ListenAndServe())
}
