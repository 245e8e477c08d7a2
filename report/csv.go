package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// columns are the report's numbers as its tables print them: a heading in
// Vietnamese and the number.
var columns = []struct {
	head  string
	value func(t *Totals) string
}{
	{"Hồ sơ số hóa", func(t *Totals) string { return strconv.Itoa(t.Documents) }},
	{"Trang", func(t *Totals) string { return strconv.Itoa(t.Pages) }},
	{"Trang dưới 200 dpi", func(t *Totals) string { return strconv.Itoa(t.PagesBelow200DPI) }},
	{"Trang không rõ dpi", func(t *Totals) string { return strconv.Itoa(t.PagesUnknownDPI) }},
	{"Tin cậy OCR < 60", func(t *Totals) string { return strconv.Itoa(t.Confidence.Below60) }},
	{"Tin cậy 60–80", func(t *Totals) string { return strconv.Itoa(t.Confidence.From60) }},
	{"Tin cậy 80–90", func(t *Totals) string { return strconv.Itoa(t.Confidence.From80) }},
	{"Tin cậy ≥ 90", func(t *Totals) string { return strconv.Itoa(t.Confidence.From90) }},
	{"Trường đề xuất", func(t *Totals) string { return strconv.Itoa(t.FieldsProposed) }},
	{"Trường văn thư sửa", func(t *Totals) string { return strconv.Itoa(t.FieldsCorrected) }},
	{"Bản được duyệt", func(t *Totals) string { return strconv.Itoa(t.Approved) }},
	{"Bản bị thay thế", func(t *Totals) string { return strconv.Itoa(t.Superseded) }},
	{"Bản bị thu hồi", func(t *Totals) string { return strconv.Itoa(t.Revoked) }},
	{"Lượt khai thác", func(t *Totals) string { return strconv.Itoa(t.Reuse) }},
	{"Chờ nhận dạng", func(t *Totals) string { return strconv.Itoa(t.Queued) }},
	{"Nhận dạng lỗi", func(t *Totals) string { return strconv.Itoa(t.Failed) }},
	{"Chờ xác nhận", func(t *Totals) string { return strconv.Itoa(t.WaitingReview) }},
	{"Chờ duyệt", func(t *Totals) string { return strconv.Itoa(t.WaitingApproval) }},
	{"Tải lên → đọc xong, trung vị (giờ)", func(t *Totals) string { return hours(t.UploadToReady.N, t.UploadToReady.Median) }},
	{"Tải lên → đọc xong, P90 (giờ)", func(t *Totals) string { return hours(t.UploadToReady.N, t.UploadToReady.P90) }},
	{"Đọc xong → duyệt, trung vị (giờ)", func(t *Totals) string { return hours(t.ReadyToApproval.N, t.ReadyToApproval.Median) }},
	{"Đọc xong → duyệt, P90 (giờ)", func(t *Totals) string { return hours(t.ReadyToApproval.N, t.ReadyToApproval.P90) }},
}

func hours(n int, seconds float64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatFloat(seconds/3600, 'f', 2, 64)
}

// WriteCSV writes the report as the province's spreadsheet takes it: a
// table of units (each with the units below it, the name indented by its
// depth), one of record types, one of procedures, then the definitions.
// UTF-8 with a byte order mark, so that a spreadsheet reads the marks.
func WriteCSV(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	heads := append([]string{"Mã đơn vị", "Đơn vị"}, columnHeads()...)
	row := func(id, name string, t *Totals) []string {
		out := []string{id, name}
		for _, c := range columns {
			out = append(out, c.value(t))
		}
		return out
	}
	cw.Write([]string{fmt.Sprintf("Báo cáo số hóa tháng %s", MonthVN(r.Month)), r.UnitName, "lập lúc " + r.MadeAt.Format("15:04 02/01/2006")})
	cw.Write(heads)
	for _, u := range r.Units {
		cw.Write(row(u.UnitID, strings.Repeat("  ", u.Depth)+u.Name, &u.Totals))
	}
	cw.Write(nil)
	heads[0], heads[1] = "Loại hồ sơ", "Tên loại"
	cw.Write(heads)
	for _, t := range r.Types {
		cw.Write(row(t.Type, t.Label, &t.Totals))
	}
	cw.Write(row("", "Tổng", &r.Totals))
	cw.Write(nil)
	cw.Write([]string{"Thủ tục", "Lượt khai thác"})
	for _, p := range r.Procedures {
		cw.Write([]string{p.Procedure, strconv.Itoa(p.Fetches)})
	}
	cw.Write(nil)
	cw.Write([]string{"Chỉ số", "Định nghĩa"})
	for _, d := range r.Definitions {
		cw.Write([]string{d.Field, d.Text})
	}
	cw.Flush()
	return cw.Error()
}

// MonthVN is "2026-11" as "11/2026", as Vietnamese papers write a month.
func MonthVN(m string) string {
	if y, mm, ok := strings.Cut(m, "-"); ok {
		return mm + "/" + y
	}
	return m
}
