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
	title := fmt.Sprintf("Báo cáo số hóa tháng %s: %s", MonthVN(r.Month), r.UnitName)

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

	// Two columns: a heading, then a row each.
	pairs := func(name, h1, h2 string, n int, row func(i int) (any, any), widths ...float64) {
		sheet(name, false)
		set(name, 1, 1, h1)
		set(name, 2, 1, h2)
		f.SetCellStyle(name, "A1", "B1", bold)
		for i := range n {
			a, b := row(i)
			set(name, 1, 2+i, a)
			set(name, 2, 2+i, b)
		}
		for i, w := range widths {
			col := string(rune('A' + i))
			f.SetColWidth(name, col, col, w)
		}
	}
	pairs("Thủ tục", "Thủ tục", "Lượt khai thác", len(r.Procedures), func(i int) (any, any) {
		return r.Procedures[i].Procedure, r.Procedures[i].Fetches
	}, 40)
	pairs("Định nghĩa", "Chỉ số", "Định nghĩa", len(r.Definitions), func(i int) (any, any) {
		return r.Definitions[i].Field, r.Definitions[i].Text
	}, 22, 100)
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
