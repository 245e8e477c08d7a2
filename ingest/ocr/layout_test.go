package ocr

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"sohoa"
	"sohoa/internal/samples"
)

// line makes the words of one of Tesseract's lines: each item "x text",
// at height y, 40 px high, every letter 20 px wide.
func line(block, n, y int, items ...string) []sohoa.Word {
	var out []sohoa.Word
	for _, it := range items {
		var x int
		var text string
		fmt.Sscanf(it, "%d", &x)
		text = it[strings.Index(it, " ")+1:]
		for _, w := range strings.Fields(text) {
			out = append(out, sohoa.Word{Text: w, X0: x, Y0: y, X1: x + 20*len([]rune(w)), Y1: y + 40, Block: block, Par: 1, Line: n})
			x += 20*len([]rune(w)) + 15
		}
	}
	return out
}

func TestReadingOrder(t *testing.T) {
	page := func(lines ...[]sohoa.Word) []sohoa.Word {
		var out []sohoa.Word
		for _, l := range lines {
			out = append(out, l...)
		}
		return out
	}
	tests := []struct {
		name  string
		words []sohoa.Word
		want  string
	}{{
		"a header read across its two columns",
		page(line(1, 1, 300, "400 UBND TỈNH NAM ĐỊNH", "1250 CỘNG HÒA XÃ HỘI"),
			line(1, 2, 360, "380 SỞ GIÁO DỤC", "1400 Độc lập - Tự do"),
			line(1, 3, 460, "420 Số: 12/KH-SGDĐT", "1300 Nam Định, ngày 05"),
			line(2, 1, 640, "1000 KẾ HOẠCH")),
		"UBND TỈNH NAM ĐỊNH\nSỞ GIÁO DỤC\nSố: 12/KH-SGDĐT\nCỘNG HÒA XÃ HỘI\nĐộc lập - Tự do\nNam Định, ngày 05\nKẾ HOẠCH",
	}, {
		"a signature block: the authority above Nơi nhận, the signer far below",
		page(line(3, 1, 1500, "355 bản chính trong các giao dịch."),
			line(3, 2, 1590, "1700 GIÁM ĐỐC"),
			line(3, 3, 1655, "355 Nơi nhận:"),
			line(3, 4, 1715, "380 - Các đơn vị;"),
			line(3, 5, 1775, "380 - Lưu: VT."),
			line(4, 1, 2300, "1660 Vũ Đình Khang")),
		"bản chính trong các giao dịch.\nNơi nhận:\n- Các đơn vị;\n- Lưu: VT.\nGIÁM ĐỐC\nVũ Đình Khang",
	}, {
		"one form line of two fields stays one line",
		page(line(1, 1, 1000, "355 Nơi sinh: Cẩm Giàng"),
			line(1, 2, 1090, "355 Giới tính: Nam", "1100 Dân tộc: Kinh"),
			line(1, 3, 1180, "355 Đã tốt nghiệp năm 2022.")),
		"Nơi sinh: Cẩm Giàng\nGiới tính: Nam Dân tộc: Kinh\nĐã tốt nghiệp năm 2022.",
	}, {
		"a register is read row by row",
		page(line(1, 1, 700, "200 STT", "300 Họ và tên", "800 Ngày sinh", "1800 Số hiệu"),
			line(1, 2, 780, "200 1", "300 Lê Văn An", "800 01/02/2003", "1800 B 0101201"),
			line(1, 3, 860, "200 2", "300 Đỗ Thị Bình", "800 03/04/2003", "1800 B 0101202")),
		"STT Họ và tên Ngày sinh Số hiệu\n1 Lê Văn An 01/02/2003 B 0101201\n2 Đỗ Thị Bình 03/04/2003 B 0101202",
	}, {
		"a column that ends above the other begins is read first",
		page(line(5, 1, 1660, "1700 GIÁM ĐỐC"),
			line(6, 1, 2365, "1660 Vũ Đình Khang"),
			line(7, 1, 2460, "358 Số hiệu: B 0174420"),
			line(7, 2, 2530, "358 Số vào sổ: 0415/THPT/2022")),
		"GIÁM ĐỐC\nVũ Đình Khang\nSố hiệu: B 0174420\nSố vào sổ: 0415/THPT/2022",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(readingOrder(tt.words)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestReadingOrderOnNewPages reads documents drawn for the test (new
// bodies, numbers, names and layouts), whose columns Tesseract reads
// interleaved: in reading order, the text is within a point of its
// line-order-free CER.
func TestReadingOrderOnNewPages(t *testing.T) {
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rng := rand.New(rand.NewPCG(2026, 12))
	for i, kind := range []string{samples.KindVanBan, samples.KindVanBan, samples.KindVanBan, samples.KindVanBang, samples.KindSoGoc} {
		d := samples.Generate(rng, kind, fmt.Sprint("new-", i))
		img, gt := samples.PNG(d)
		pt, err := e.Recognize(img)
		if err != nil {
			t.Fatal(err)
		}
		cer, strict := CER(pt.Text, gt), StrictCER(pt.Text, gt)
		t.Logf("%s %s: CER %.2f%%, in reading order %.2f%%", d.ID, kind, 100*cer, 100*strict)
		if strict > cer+0.01 || strict > 0.03 {
			t.Errorf("%s: CER in reading order %.2f%% (CER %.2f%%):\n%s\nwant\n%s", d.ID, 100*strict, 100*cer, pt.Text, gt)
		}
	}
}
