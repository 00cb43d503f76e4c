package admin

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/gbhook/gbhook/runtime/history"
)

// web holds the inspector: templates, script and style. No build step and no
// CDN: everything the page needs is in the binary.
//
//go:embed web
var web embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"deref": func(p *int64) int64 { return *p },
}).ParseFS(web, "web/*.html"))

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.cfg.Logger.Error("admin: rendering "+name, "err", err)
	}
}

// indexData is what the first render of the inspector shows; the script
// keeps it up to date from /api/events.
type indexData struct {
	CSRF     string
	Requests []history.Summary
	Routes   []Route
	Problems []Problem
	Jobs     bool
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Store.List(r.Context(), history.Filter{Limit: 100})
	if err != nil {
		s.internal(w, "listing requests", err)
		return
	}
	s.render(w, "index.html", indexData{CSRF: s.auth.csrf, Requests: list, Routes: s.cfg.Routes(),
		Problems: s.cfg.Problems(), Jobs: s.cfg.Jobs != nil})
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(web, "web")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
}
