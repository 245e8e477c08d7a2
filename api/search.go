package api

import (
	"net/http"
	"regexp"
	"strings"

	"sohoa"
	"sohoa/catalog"
	"sohoa/search"
)

// cccdRE finds 12-digit numbers in snippets: masked like every CCCD in a list.
var cccdRE = regexp.MustCompile(`\b\d{12}\b`)

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
	v := r.URL.Query()
	q := search.Query{Text: v.Get("q"), Type: v.Get("type"), From: v.Get("from"), To: v.Get("to"),
		SoKyHieu: v.Get("so_ky_hieu"), SoHieu: v.Get("so_hieu"), SubjectID: v.Get("subject_id"), Limit: limit, Offset: offset}
	if q.Type != "" {
		if _, ok := sohoa.DocTypes[q.Type]; !ok {
			s.error(w, r, sohoa.FieldError("type", "Loại hồ sơ %q không hợp lệ (%s).", q.Type, strings.Join(sohoa.TypeNames(), ", ")))
			return
		}
	}
	p := principal(r.Context())
	if id := v.Get("unit"); id != "" {
		u, err := s.Catalog.Unit(r.Context(), id)
		if err != nil {
			s.error(w, r, errNoUnit(id))
			return
		}
		q.Unit = u.Path
	}
	if f := catalog.ReachFilter(p); f.UnitPath != "" {
		q.Reach, q.Subtree = f.UnitPath, f.Subtree
	}
	res, err := s.Search.Search(r.Context(), q)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ids := make([]string, len(res.Hits))
	for i := range res.Hits {
		ids[i] = res.Hits[i].ID
		res.Hits[i].Snippet = cccdRE.ReplaceAllStringFunc(res.Hits[i].Snippet, sohoa.MaskCCCD)
	}
	if err := s.audit(r, sohoa.ActionSearch, "", strings.Join(ids, ",")); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
