package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the report as a workbook for the province's
// spreadsheet: a sheet of units (names indented by depth, numbers as
// numbers), one of types, one of procedures, one of definitions.
func WriteXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	sheet := func(name string, first bool) {
		if first {
			f.SetSheetName("Sheet1", name)
		} else {
			f.NewSheet(name)
		}
	}
	set := func(s string, col, row int, v any) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		f.SetCellValue(s, cell, v)
	}
	table := func(s, idHead, nameHead string, rows [][2]string, totals []*Totals, title string) {
		set(s, 1, 1, title)
		heads := append([]string{idHead, nameHead}, columnHeads()...)
		for i, h := range heads {
			set(s, i+1, 3, h)
		}
		last, _ := excelize.CoordinatesToCellName(len(heads), 3)
		f.SetCellStyle(s, "A3", last, bold)
		f.SetRowHeight(s, 3, 45)
		for i, row := range rows {
			set(s, 1, 4+i, row[0])
			set(s, 2, 4+i, row[1])
			for j, c := range columns {
				v := c.value(totals[i])
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					set(s, 3+j, 4+i, n)
				} else {
					set(s, 3+j, 4+i, v)
				}
			}
		}
		f.SetColWidth(s, "A", "A", 14)
		f.SetColWidth(s, "B", "B", 36)
		f.SetPanes(s, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: 3, TopLeftCell: "C4", ActivePane: "bottomRight"})
	}
	title := fmt.Sprintf("Báo cáo số hóa tháng %s: %s", monthVN(r.Month), r.UnitName)

	sheet("Đơn vị", true)
	var rows [][2]string
	var totals []*Totals
	for i := range r.Units {
		u := &r.Units[i]
		rows = append(rows, [2]string{u.UnitID, strings.Repeat("    ", u.Depth) + u.Name})
		totals = append(totals, &u.Totals)
	}
	table("Đơn vị", "Mã đơn vị", "Đơn vị", rows, totals, title)

	sheet("Loại hồ sơ", false)
	rows, totals = nil, nil
	for i := range r.Types {
		rows = append(rows, [2]string{r.Types[i].Type, r.Types[i].Label})
		totals = append(totals, &r.Types[i].Totals)
	}
	rows = append(rows, [2]string{"", "Tổng"})
	totals = append(totals, &r.Totals)
	table("Loại hồ sơ", "Loại", "Tên loại", rows, totals, title)

	sheet("Thủ tục", false)
	set("Thủ tục", 1, 1, "Thủ tục")
	set("Thủ tục", 2, 1, "Lượt khai thác")
	f.SetCellStyle("Thủ tục", "A1", "B1", bold)
	for i, p := range r.Procedures {
		set("Thủ tục", 1, 2+i, p.Procedure)
		set("Thủ tục", 2, 2+i, p.Fetches)
	}
	f.SetColWidth("Thủ tục", "A", "A", 40)

	sheet("Định nghĩa", false)
	set("Định nghĩa", 1, 1, "Chỉ số")
	set("Định nghĩa", 2, 1, "Định nghĩa")
	f.SetCellStyle("Định nghĩa", "A1", "B1", bold)
	for i, d := range r.Definitions {
		set("Định nghĩa", 1, 2+i, d.Field)
		set("Định nghĩa", 2, 2+i, d.Text)
	}
	f.SetColWidth("Định nghĩa", "A", "A", 22)
	f.SetColWidth("Định nghĩa", "B", "B", 100)
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

func columnHeads() []string {
	var out []string
	for _, c := range columns {
		out = append(out, c.head)
	}
	return out
}
