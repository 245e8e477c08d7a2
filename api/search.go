package api

import (
	"net/http"

	"sohoa"
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
	v := r.URL.Query()
	approved, err := sohoa.ParseApproved("approved", v.Get("approved"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	q := sohoa.SearchQuery{Text: v.Get("q"), Type: v.Get("type"), Unit: v.Get("unit"), From: v.Get("from"), To: v.Get("to"),
		Year: v.Get("year"), DigitizedFrom: v.Get("digitized_from"), DigitizedTo: v.Get("digitized_to"), Approved: approved,
		SoKyHieu: v.Get("so_ky_hieu"), SoHieu: v.Get("so_hieu"), SubjectID: v.Get("subject_id"), Limit: limit, Offset: offset}
	res, err := s.Records.Search(r.Context(), principal(r), q)
	s.reply(w, r, res, err)
}
