package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
	"time"

	"sohoa"
	"sohoa/report"
)

// reportView is the monthly report page: the report, its charts as
// images, and the units one may pick.
type reportView struct {
	Month, Unit         string
	Report              *report.Report
	UnitChart, TrendSVG template.URL
	Units               []*sohoa.Unit
	Download            string
}

// monthlyReport shows the month's report of a unit and those below it
// (officials, admins): tables, two charts drawn here as SVG, links to
// CSV and XLSX.
func (s *Server) monthlyReport(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	q := r.URL.Query()
	v := &reportView{Month: q.Get("thang"), Unit: q.Get("don-vi")}
	if v.Month == "" {
		v.Month = time.Now().In(sohoa.Vietnam).Format("2006-01")
	}
	view := &view{Title: "Báo cáo tháng", Principal: p, Data: v, Nav: "report"}
	rep, err := s.Records.MonthlyReport(r.Context(), p, v.Month, v.Unit)
	if err != nil {
		if c := sohoa.ErrorCode(err); c == sohoa.EINVALID || c == sohoa.ENOTFOUND {
			view.Problem = sohoa.ErrorMessage(err)
			s.render(w, r, http.StatusBadRequest, "report", view)
			return
		}
		s.fail(w, r, err)
		return
	}
	v.Report, v.Unit = rep, rep.UnitID
	v.Download = "/bao-cao/tai-ve?thang=" + rep.Month + "&don-vi=" + rep.UnitID
	if svg, err := report.UnitChart(rep); err == nil {
		v.UnitChart = dataURL(svg)
	}
	if svg, err := report.TrendChart(rep.Trend); err == nil {
		v.TrendSVG = dataURL(svg)
	}
	if units, err := s.Directory.Units(r.Context()); err == nil {
		reach := p.Reach()
		for _, u := range units {
			if reach.Contains(u.Path) {
				v.Units = append(v.Units, u)
			}
		}
	}
	s.render(w, r, http.StatusOK, "report", view)
}

// dataURL is an SVG as an image's address: drawn here, it needs no other
// request, and the page's policy allows data: images.
func dataURL(svg []byte) template.URL {
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))
}

// reportDownload sends the report as CSV or XLSX.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	q := r.URL.Query()
	format := q.Get("dinh-dang")
	if format != "csv" && format != "xlsx" {
		s.fail(w, r, sohoa.FieldError("dinh-dang", "Định dạng %q không hợp lệ (csv, xlsx).", format))
		return
	}
	rep, err := s.Records.MonthlyReport(r.Context(), p, q.Get("thang"), q.Get("don-vi"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := "bao-cao-" + rep.Month + "-" + rep.UnitID
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		report.WriteCSV(w, rep)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	report.WriteXLSX(w, rep)
}

// signReport issues the month's report as a signed báo cáo (PDF), from
// the form of the report page.
func (s *Server) signReport(w http.ResponseWriter, r *http.Request, p *sohoa.Principal) {
	f := r.PostFormValue
	var recipients []string
	for _, l := range strings.Split(f("noi-nhan"), "\n") {
		if l = strings.TrimSpace(strings.TrimLeft(l, "-– ")); l != "" {
			recipients = append(recipients, l)
		}
	}
	h := report.Heading{Parent: f("co-quan-chu-quan"), Number: f("so"), Place: f("dia-danh"), Authority: f("tham-quyen"),
		Title: f("chuc-vu"), Signer: f("nguoi-ky"), Recipients: recipients}
	pdf, err := s.Records.MonthlyReportPDF(r.Context(), p, f("thang"), f("don-vi"), h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="bao-cao-`+f("thang")+`.pdf"`)
	w.Write(pdf)
}
