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

// reportPDF issues the month's report as a báo cáo of Decree 30, signed
// with the Department's key (an official's act, audited).
func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Month      string   `json:"month"`
		Unit       string   `json:"unit"`
		Parent     string   `json:"parent"`
		Body       string   `json:"body"`
		Number     string   `json:"number"`
		Place      string   `json:"place"`
		Authority  string   `json:"authority"`
		Title      string   `json:"title"`
		Signer     string   `json:"signer"`
		Recipients []string `json:"recipients"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.error(w, r, err)
		return
	}
	pdf, err := s.Records.MonthlyReportPDF(r.Context(), principal(r), body.Month, body.Unit, report.Heading{Parent: body.Parent, Body: body.Body,
		Number: body.Number, Place: body.Place, Authority: body.Authority, Title: body.Title, Signer: body.Signer, Recipients: body.Recipients})
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="bao-cao-`+body.Month+`.pdf"`)
	w.Write(pdf)
}
