package samples

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Doc is a generated document: one page of blocks, what is printed on it
// as the fields of its sohoa type, and for a register its rows.
type Doc struct {
	ID   string
	Type string // sohoa's type: van_ban, van_bang, so_goc
	// Blocks is the page; Fields the values printed on it, by field name
	// (a list's items one per line); Rows a register's entries.
	Blocks []Block
	Fields map[string]string
	Rows   []map[string]string
}

// Kinds of document Generate makes.
const (
	KindVanBan  = "van_ban"
	KindVanBang = "van_bang"
	KindSoGoc   = "so_goc"
)

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đoàn", "Trịnh", "Đinh", "Lương", "Hà", "Kiều", "Tạ", "Mai", "Quách"}
	middleMale  = []string{"Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Đình", "Tuấn", "Gia", "Trọng"}
	middleFem   = []string{"Thị", "Thị Thu", "Thị Ngọc", "Thị Mỹ", "Ngọc", "Thu", "Hồng", "Thanh", "Khánh", "Bảo"}
	givenMale   = []string{"An", "Bình", "Cường", "Dũng", "Đạt", "Hiếu", "Hùng", "Khang", "Khôi", "Long", "Mạnh", "Nam", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Hưng", "Lộc"}
	givenFem    = []string{"Anh", "Châu", "Diệp", "Dung", "Giang", "Hạnh", "Hằng", "Hoa", "Huyền", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Uyên", "Vân", "Yến", "Ánh", "Hương"}
	provinces   = []struct{ name, places string }{
		{"HẢI DƯƠNG", "Gia Lộc,Tứ Kỳ,Ninh Giang,Thanh Hà,Kinh Môn,Cẩm Giàng,Nam Sách,Chí Linh"},
		{"THÁI BÌNH", "Kiến Xương,Vũ Thư,Đông Hưng,Quỳnh Phụ,Tiền Hải,Hưng Hà,Thái Thụy"},
		{"NGHỆ AN", "Diễn Châu,Quỳnh Lưu,Nghi Lộc,Đô Lương,Thanh Chương,Yên Thành,Nam Đàn"},
		{"BẮC NINH", "Từ Sơn,Tiên Du,Quế Võ,Gia Bình,Lương Tài,Thuận Thành,Yên Phong"},
		{"THANH HÓA", "Hoằng Hóa,Hậu Lộc,Nga Sơn,Tĩnh Gia,Thọ Xuân,Quảng Xương,Đông Sơn"},
		{"NAM ĐỊNH", "Giao Thủy,Hải Hậu,Xuân Trường,Ý Yên,Vụ Bản,Nghĩa Hưng,Trực Ninh"},
		{"PHÚ THỌ", "Lâm Thao,Phù Ninh,Thanh Sơn,Cẩm Khê,Đoan Hùng,Hạ Hòa,Tam Nông"},
		{"QUẢNG NINH", "Đông Triều,Quảng Yên,Uông Bí,Cẩm Phả,Vân Đồn,Tiên Yên,Hải Hà"},
	}
	ethnicities = []string{"Kinh", "Kinh", "Kinh", "Kinh", "Tày", "Thái", "Mường", "Nùng", "Dao", "H'Mông"}
	schools     = []struct{ name, code string }{
		{"TRƯỜNG THPT CHU VĂN AN", "THPTCVA"}, {"TRƯỜNG THPT NGUYỄN TRÃI", "THPTNT"}, {"TRƯỜNG THPT LÊ QUÝ ĐÔN", "THPTLQĐ"},
		{"TRƯỜNG THPT TRẦN PHÚ", "THPTTP"}, {"TRƯỜNG THPT HỒNG QUANG", "THPTHQ"}, {"TRƯỜNG THPT QUANG TRUNG", "THPTQT"},
	}
	docKinds = []struct{ title, code, name string }{
		{"QUYẾT ĐỊNH", "QĐ", "Quyết định"}, {"THÔNG BÁO", "TB", "Thông báo"}, {"KẾ HOẠCH", "KH", "Kế hoạch"},
		{"BÁO CÁO", "BC", "Báo cáo"}, {"HƯỚNG DẪN", "HD", "Hướng dẫn"}, {"", "", "Công văn"},
	}
	subjects = []string{
		"tổ chức kỳ thi chọn học sinh giỏi cấp tỉnh năm học %d-%d",
		"số hóa hồ sơ, sổ gốc văn bằng, chứng chỉ năm %d",
		"tuyển sinh vào lớp 10 trung học phổ thông năm học %d-%d",
		"kiểm tra công tác thi đua, khen thưởng năm %d",
		"bồi dưỡng thường xuyên giáo viên năm học %d-%d",
		"rà soát dữ liệu cán bộ, giáo viên, nhân viên năm %d",
		"triển khai cấp bản sao văn bằng từ sổ gốc trên Cổng Dịch vụ công năm %d",
	}
	paragraphs = []string{
		"Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019; căn cứ các văn bản hướng dẫn hiện hành của Bộ Giáo dục và Đào tạo.",
		"Các đơn vị rà soát hồ sơ, cập nhật dữ liệu đầy đủ, chính xác và gửi báo cáo về Văn phòng Sở đúng thời hạn.",
		"Thủ trưởng các đơn vị chịu trách nhiệm phổ biến nội dung này đến toàn thể cán bộ, giáo viên và nhân viên.",
		"Hồ sơ đã được số hóa và ký số có giá trị sử dụng thay cho bản giấy trong giải quyết thủ tục hành chính.",
		"Trong quá trình thực hiện, nếu có vướng mắc, đề nghị liên hệ Văn phòng Sở để được hướng dẫn.",
		"Kinh phí thực hiện từ nguồn ngân sách chi thường xuyên được giao cho các đơn vị trong năm.",
		"Người dân không phải nộp lại giấy tờ mà cơ quan nhà nước đã lưu giữ hoặc đã được số hóa.",
	}
	recipients = []string{"Các trường THPT trực thuộc", "Các phòng Giáo dục và Đào tạo", "Bộ Giáo dục và Đào tạo (để b/c)",
		"UBND tỉnh (để b/c)", "Giám đốc, các Phó Giám đốc Sở", "Cổng thông tin điện tử Sở", "Như trên", "Các phòng chuyên môn thuộc Sở"}
)

// Generate makes a new document of kind from rng: new names, numbers,
// dates and layout for every draw. id names it.
func Generate(rng *rand.Rand, kind, id string) Doc {
	g := gen{rng}
	switch kind {
	case KindVanBang:
		return g.diploma(id)
	case KindSoGoc:
		return g.register(id)
	}
	return g.administrative(id)
}

type gen struct{ r *rand.Rand }

func (g gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g gen) size(base float64) float64 { return base + float64(g.r.IntN(2))*0.5 }

func (g gen) person() (name, sex string) {
	if g.r.IntN(2) == 0 {
		return g.pick(familyNames) + " " + g.pick(middleMale) + " " + g.pick(givenMale), "Nam"
	}
	return g.pick(familyNames) + " " + g.pick(middleFem) + " " + g.pick(givenFem), "Nữ"
}

func (g gen) day() (d, m int) { return 1 + g.r.IntN(28), 1 + g.r.IntN(12) }

func (g gen) administrative(id string) Doc {
	p := provinces[g.r.IntN(len(provinces))]
	province := strings.ToLower(p.name)
	place := titleCase(province)
	year := 2018 + g.r.IntN(8)
	day, month := g.day()
	parent, body, code := "UBND TỈNH "+p.name, "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT"
	head, deputy := "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"
	if g.r.IntN(3) == 0 {
		s := schools[g.r.IntN(len(schools))]
		parent, body, code = "SỞ GD&ĐT "+p.name, s.name, s.code
		head, deputy = "HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG"
		place = g.pick(strings.Split(p.places, ","))
	}
	k := docKinds[g.r.IntN(len(docKinds))]
	number := fmt.Sprint(1 + g.r.IntN(2999))
	kyHieu := k.code + "-" + code
	if k.code == "" {
		kyHieu = code + "-" + g.pick([]string{"VP", "GDTrH", "KTKĐ", "TCCB"})
	}
	subject := g.pick(subjects)
	summary := fmt.Sprintf(subject, year)
	if strings.Count(subject, "%d") == 2 {
		summary = fmt.Sprintf(subject, year, year+1)
	}
	fields := map[string]string{"so": number, "ky_hieu": kyHieu, "ngay_ban_hanh": fmt.Sprintf("%d-%02d-%02d", year, month, day),
		"loai_van_ban": k.name, "co_quan_ban_hanh": body, "co_quan_chu_quan": parent}
	hs := g.size(12)
	b := []Block{
		{Col: "L", Size: hs, Text: parent},
		{Col: "L", Size: hs, Bold: true, Text: body},
		{Col: "L", Size: 13, Gap: 8, Text: "Số: " + number + "/" + kyHieu},
	}
	if k.code == "" {
		summary = "V/v " + summary
		b = append(b, Block{Col: "L", Size: 12, Gap: 4, Text: summary})
	} else {
		summary = "Về việc " + summary
	}
	fields["trich_yeu"] = summary
	// Days under 10 and months 1 and 2 are printed with a leading zero
	// (Decree 30/2020, Appendix I).
	dd, mm := fmt.Sprint(day), fmt.Sprint(month)
	if day < 10 {
		dd = "0" + dd
	}
	if month < 3 {
		mm = "0" + mm
	}
	b = append(b,
		Block{Col: "R", Size: hs, Bold: true, Text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		Block{Col: "R", Size: 13, Bold: true, Text: "Độc lập - Tự do - Hạnh phúc"},
		Block{Col: "R", Size: 13, Ital: true, Gap: 8, Text: place + ", ngày " + dd + " tháng " + mm + " năm " + fmt.Sprint(year)},
	)
	if k.code != "" {
		b = append(b, Block{Col: "C", Size: 14, Bold: true, Sync: true, Gap: float64(20 + g.r.IntN(12)), Text: k.title},
			Block{Col: "C", Size: 14, Bold: true, Text: summary})
	} else {
		b = append(b, Block{Col: "C", Size: 14, Sync: true, Gap: 24, Text: "Kính gửi: " + g.pick(recipients[:3])})
	}
	n := 2 + g.r.IntN(3)
	for _, i := range g.r.Perm(len(paragraphs))[:n] {
		b = append(b, Block{Size: 13, Gap: 4, Text: paragraphs[i]})
	}
	var recv []string
	for _, i := range g.r.Perm(len(recipients))[:1+g.r.IntN(3)] {
		recv = append(recv, recipients[i])
	}
	recv = append(recv, "Lưu: VT, "+g.pick([]string{"VP", "QLCL", "GDTrH", "TCCB"})+".")
	b = append(b, Block{Col: "NL", Size: 12, Bold: true, Ital: true, Sync: true, Gap: 14, Text: "Nơi nhận:"})
	for i, r := range recv {
		if i < len(recv)-1 {
			r += ";"
		}
		b = append(b, Block{Col: "NL", Size: 11, Text: "- " + r})
	}
	signer, _ := g.person()
	authority, title := "", head
	switch g.r.IntN(4) {
	case 1:
		authority, title = "KT.", deputy
	case 2:
		if head == "GIÁM ĐỐC" {
			authority, title = "TL.", "CHÁNH VĂN PHÒNG"
		}
	}
	if authority != "" {
		b = append(b, Block{Col: "SIG", Size: 13, Bold: true, Text: authority + " " + head})
		fields["nguoi_ky_tham_quyen"] = authority
	}
	b = append(b, Block{Col: "SIG", Size: 13, Bold: true, Text: title, Stamp: g.r.IntN(2) == 0},
		Block{Col: "SIG", Size: 13, Bold: true, Gap: float64(110 + g.r.IntN(60)), Text: signer})
	fields["nguoi_ky_chuc_vu"], fields["nguoi_ky_ho_ten"] = title, signer
	fields["noi_nhan"] = strings.Join(recv, "\n")
	return Doc{ID: id, Type: KindVanBan, Blocks: b, Fields: fields}
}

func (g gen) birth(year int) string {
	d, m := g.day()
	return fmt.Sprintf("%02d/%02d/%d", d, m, year)
}

func iso(dmy string) string {
	p := strings.Split(dmy, "/")
	return p[2] + "-" + p[1] + "-" + p[0]
}

func (g gen) diploma(id string) Doc {
	p := provinces[g.r.IntN(len(provinces))]
	year := 2010 + g.r.IntN(16)
	name, sex := g.person()
	birth := g.birth(year - 18)
	place := g.pick(strings.Split(p.places, ",")) + ", " + titleCase(strings.ToLower(p.name))
	ethnic := g.pick(ethnicities)
	serial := fmt.Sprintf("%c %07d", "ABC"[g.r.IntN(3)], g.r.IntN(10000000))
	entry := fmt.Sprintf("%04d/THPT/%d", 1+g.r.IntN(9999), year)
	signer, _ := g.person()
	issued := fmt.Sprintf("ngày %d tháng %d năm %d", 1+g.r.IntN(28), 6+g.r.IntN(3), year)
	b := []Block{
		{Col: "C", Size: 13, Bold: true, Text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		{Col: "C", Size: 13, Bold: true, Text: "Độc lập - Tự do - Hạnh phúc"},
		{Col: "C", Size: g.size(19), Bold: true, Gap: float64(30 + g.r.IntN(20)), Text: "BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG"},
		{Col: "C", Size: 13, Bold: true, Gap: 20, Text: "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH " + p.name},
		{Col: "C", Size: 13, Gap: 10, Text: "cấp bằng tốt nghiệp trung học phổ thông cho:"},
		{Size: g.size(13), Gap: 4, Text: "Họ và tên: " + name},
		{Size: 13, Gap: 4, Text: "Ngày sinh: " + birth},
		{Size: 13, Gap: 4, Text: "Nơi sinh: " + place},
		{Size: 13, Gap: 4, Text: "Giới tính: " + sex + "  Dân tộc: " + ethnic},
		{Size: 13, Gap: 4, Text: "Đã tốt nghiệp trung học phổ thông năm " + fmt.Sprint(year) + "."},
		{Col: "SIG", Size: 13, Ital: true, Sync: true, Gap: 30, Text: titleCase(strings.ToLower(p.name)) + ", " + issued},
		{Col: "SIG", Size: 13, Bold: true, Text: "GIÁM ĐỐC", Stamp: g.r.IntN(2) == 0},
		{Col: "SIG", Size: 13, Bold: true, Gap: float64(120 + g.r.IntN(50)), Text: signer},
		{Col: "NL", Size: 12, Sync: true, Gap: 20, Text: "Số hiệu: " + serial},
		{Col: "NL", Size: 12, Text: "Số vào sổ cấp bằng: " + entry},
	}
	return Doc{ID: id, Type: KindVanBang, Blocks: b, Fields: map[string]string{
		"loai_van_bang": "Bằng tốt nghiệp trung học phổ thông", "ho_ten": name, "ngay_sinh": iso(birth), "noi_sinh": place,
		"gioi_tinh": sex, "dan_toc": ethnic, "nam_tot_nghiep": fmt.Sprint(year), "so_hieu": serial, "so_vao_so": entry,
	}}
}

func (g gen) register(id string) Doc {
	p := provinces[g.r.IntN(len(provinces))]
	year := 2010 + g.r.IntN(16)
	s := schools[g.r.IntN(len(schools))]
	council := strings.Replace(titleCase(strings.ToLower(s.name)), "Thpt", "THPT", 1)
	b := []Block{
		{Col: "L", Size: 12.5, Text: "UBND TỈNH " + p.name},
		{Col: "L", Size: 12.5, Bold: true, Text: "SỞ GIÁO DỤC VÀ ĐÀO TẠO"},
		{Col: "R", Size: 12.5, Bold: true, Text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		{Col: "R", Size: 13, Bold: true, Text: "Độc lập - Tự do - Hạnh phúc"},
		{Col: "C", Size: 15, Bold: true, Sync: true, Gap: 24, Text: "SỔ GỐC CẤP BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG"},
		{Col: "C", Size: 13, Text: fmt.Sprintf("Năm tốt nghiệp: %d - Hội đồng thi: %s", year, council)},
	}
	cols := []int{0, 90, 600, 880, 1230, 1420, 1610, 1860}
	b = append(b, Block{Size: 10.5, Bold: true, Gap: 16, Cols: cols,
		Cells: []string{"STT", "Họ và tên", "Ngày sinh", "Nơi sinh", "Giới tính", "Dân tộc", "Số hiệu", "Số vào sổ"}})
	letter := "ABC"[g.r.IntN(3)]
	serial := g.r.IntN(9000000)
	entry := 1 + g.r.IntN(9000)
	places := strings.Split(p.places, ",")
	var rows []map[string]string
	for i := range 6 + g.r.IntN(10) {
		name, sex := g.person()
		r := map[string]string{"stt": fmt.Sprint(i + 1), "ho_ten": name, "ngay_sinh": g.birth(year - 18), "noi_sinh": g.pick(places),
			"gioi_tinh": sex, "dan_toc": g.pick(ethnicities), "so_hieu": fmt.Sprintf("%c %07d", letter, serial+i),
			"so_vao_so": fmt.Sprintf("%04d/THPT/%d", entry+i, year)}
		b = append(b, Block{Size: 10.5, Gap: 6, Cols: cols, Cells: []string{r["stt"], r["ho_ten"], r["ngay_sinh"], r["noi_sinh"],
			r["gioi_tinh"], r["dan_toc"], r["so_hieu"], r["so_vao_so"]}})
		r["ngay_sinh"] = iso(r["ngay_sinh"])
		rows = append(rows, r)
	}
	return Doc{ID: id, Type: KindSoGoc, Blocks: b, Rows: rows, Fields: map[string]string{
		"nam_tot_nghiep": fmt.Sprint(year), "hoi_dong_thi": council}}
}

// titleCase capitalizes each word: "hải dương" → "Hải Dương".
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r := []rune(w)
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}
