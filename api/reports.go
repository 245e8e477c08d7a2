package api

import (
	"net/http"

	"sohoa"
	"sohoa/report"
)

// monthlyReport answers the month's report of a unit and those below it,
// as JSON (default) or CSV (format=csv) for the province's spreadsheet.
func (s *Server) monthlyReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	unit := q.Get("unit")
	if unit == "" {
		unit = q.Get("unit_id")
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.error(w, r, sohoa.FieldError("format", "Định dạng %q không hợp lệ (json, csv).", format))
		return
	}
	rep, err := s.Records.MonthlyReport(r.Context(), principal(r), q.Get("month"), unit)
	if err != nil || format != "csv" {
		s.reply(w, r, rep, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="bao-cao-`+rep.Month+"-"+rep.UnitID+`.csv"`)
	if err := report.WriteCSV(w, rep); err != nil {
		s.Log.Warn("report not written", "err", err)
	}
}
