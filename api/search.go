package api

import (
	"net/http"

	"sohoa/search"
)

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r, "limit", 20, 1, 100)
	if err != nil {
		s.error(w, r, err)
		return
	}
	offset, err := intParam(r, "offset", 0, 0, 10000)
	if err != nil {
		s.error(w, r, err)
		return
	}
	res, err := s.Search.Search(r.Context(), search.Query{Text: r.URL.Query().Get("q"), Limit: limit, Offset: offset})
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
