package propose

import (
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"sohoa/vntext"
)

// nameSyllables are the syllables Vietnamese people's and places' names are
// made of, as they are written: a syllable of a name read otherwise (Vần for
// Vân, Hông for Hồng, Cấm for Cẩm, all real words) is a mark misread in
// small type, however sure Tesseract was of it. The list is general, not
// the test pages': middle and given names, family names, the names of the
// provinces, districts and towns, and the words of an address.
var nameSyllables = map[string]bool{}

// nameFolds are the syllables of nameSyllables by their folded spelling.
var nameFolds = map[string][]string{}

func init() {
	words := "" +
		// middle and given names
		"An Ân Anh Ánh Ảnh Bá Bách Bạch Ban Bản Bảo Bắc Bằng Bé Bích Biên Biển Bình Bính Bội Bổng Bửu Ca Cam Cảnh Cao Cát Cầm Cẩm Cần Cận " +
		"Chánh Chân Chấn Châu Chi Chí Chiến Chiêu Chinh Chính Chỉnh Chuẩn Chung Chúc Chức Chương Chưởng Cơ Công Cúc Cung Cư Cừ Cương Cường " +
		"Dạ Danh Dân Dần Diễm Diệm Diên Diện Diệp Diệu Dinh Doanh Du Dư Dụ Duẩn Dung Dũng Dụng Duy Duyên Duyệt Dư Dự Dương Dưỡng " +
		"Đại Đam Đan Đàn Đán Đang Đảng Đào Đạo Đạt Đăng Đắc Đằng Đẳng Đệ Điềm Điền Điển Điệp Điều Đình Định Đính Đoan Đoàn Độ Đông Đồng Đô " +
		"Đôn Đốc Đức Được Em Gấm Giang Giao Giáp Giàu Giới Hà Hạ Hải Hán Hành Hạnh Hào Hảo Hạo Hằng Hậu Hân Hiên Hiền Hiển Hiến Hiện Hiệp " +
		"Hiếu Hiểu Hinh Hoa Hòa Hoà Hóa Hoá Hoài Hoan Hoàn Hoán Hoàng Hoành Hoạt Học Hội Hồng Hợi Hợp Huân Huấn Huế Huệ Hùng Hưng Hứng " +
		"Hương Hường Hưởng Hữu Huy Huyên Huyền Huyện Huỳnh Hy Kha Khả Khải Khanh Khánh Khang Khiêm Khiết Khoa Khoái Khoan Khôi Khởi " +
		"Khuê Khuyên Khương Kiên Kiện Kiệt Kiều Kim Kính Kỳ Kỷ Ky Lai Lại Lam Lãm Lâm Lan Lành Lãnh Lạc Lâu Lập Lệ Lễ Liên Liêm Liễu Liệu " +
		"Linh Lĩnh Loan Lộc Lợi Lời Long Lộng Luân Luận Luyến Lực Lượng Lương Lưu Lý Ly Ma Mai Mạnh Mẫn Mậu Mến Mị Miên Minh Mơ Mộng Mừng " +
		"My Mỹ Na Nam Năng Nga Ngà Ngải Ngạn Ngân Nghi Nghị Nghĩa Nghiêm Nghiệp Ngoan Ngọc Ngôn Nguyên Nguyện Nguyệt Nhã Nhạc Nhàn Nhân " +
		"Nhẫn Nhất Nhật Nhi Nhị Nhiên Nhu Nhung Nhuận Như Nhượng Niên Ninh Nở Nông Nữ Nương Oanh Pha Phả Phác Phán Phát Phấn Phi Phiên " +
		"Phong Phú Phủ Phúc Phục Phụng Phùng Phước Phương Phượng Quách Quân Quang Quảng Quế Quốc Quý Quỳ Quyên Quyền Quyết Quỳnh Sa Sang " +
		"Sáng Sâm Sắc Sen Siêm Sinh Soạn Sơn Sứ Sử Sương Sỹ Sĩ Tài Tâm Tân Tấn Tầm Tất Thạc Thạch Thái Thanh Thành Thạnh Thảo Thắm Thăng " +
		"Thắng Thân Thần Thể Thi Thị Thìn Thịnh Thiện Thiêm Thiết Thiều Thoa Thoại Thọ Thông Thống Thu Thư Thứ Thuần Thuận Thục Thủy Thuỷ " +
		"Thùy Thuỳ Thúy Thuý Thụy Thương Thường Thưởng Thy Tiến Tiên Tiền Tiệp Tín Tình Tĩnh Tịnh Toại Toàn Toản Toán Trà Trác Trai Trâm " +
		"Trầm Trân Trang Tráng Trí Trị Triết Triều Triệu Trinh Trình Trọng Trung Trúc Trực Trưng Trường Trượng Tú Tuân Tuấn Tuệ Tùng Tụng " +
		"Tuyên Tuyến Tuyết Tuyền Tư Tứ Tường Tưởng Tý Uy Uyên Uyển Vạn Văn Vân Viên Viễn Việt Viết Vinh Vĩnh Vịnh Võ Vũ Vui Vương Vượng " +
		"Vy Vỹ Xuân Xuyến Xương Yên Yến Ý " +
		// family names
		"Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Đinh Trịnh Hà Kiều Tạ Chu Chử Đàm Giang Hứa Khổng Khúc " +
		"Lò Lục Mạc Mạch Nông Phí Tăng Tô Tôn Trương Vi Âu Bế Cù Doãn Hầu La Lã Liêu Nhữ Ông Phó Sầm Tiêu Tống Từ Ứng Giáp Hàn Lỗ Mông " +
		"Tường Xa Khương Lữ Nhan Thân Lường Quàng Hờ Giàng Vàng Thào Sùng Mùa Lầu Cứ Tòng Lù Hoàng " +
		// provinces, districts, towns, and the words of an address
		"Nội Phòng Nẵng Thơ Ngãi Tĩnh Trị Hậu Tháp Kạn Lạng Lào Cai Điện Tuyên Yên Bái Sóc Trăng Bạc Liêu Cà Mau Tre Bến Vũng Tàu Rịa Bà " +
		"Kon Tum Đắk Lắk Lai Gia Phước Dương Thủ Dầu Một Củ Chi Rạch Giá Cam Ranh Nha Trang Đà Lạt Buôn Ma Thuột Pleiku Quy Nhơn " +
		"Lộc Kỳ Môn Sách Sơn Xương Thư Phụ Thụy Thủy Hưng Hải Đông Tây Nam Bắc Trung Thượng Hạ Mỹ Triều Uông Phả Đồn Hà Xuyên Lương " +
		"Giàng Thuận Tiên Du Quế Võ Phong Đô Chương Thành Đàn Diễn Lưu Nghi Hoằng Nga Thọ Xương Giao Hậu Vụ Bản Nghĩa Ninh Lâm Thao Phù Khê " +
		"Đoan Hòa Nông Ứng Mê Linh Chương Mỹ Sóc Từ Liêm Gò Vấp Uông Bí Cát Cư Hóc Môn Nhà Bè Cần Giờ Tân Phú Bình Chánh Sa Pa Mèo Vạc Quản Bạ " +
		"Lục Ngạn Nam Yên Kiến Vĩnh Tường Lập Thạch Tam Đảo Dương Kinh Bảo Thắng Mường Tè Tủa Chùa Quỳ Châu Lệ Thủy Bố Trạch Cam Lộ Hướng " +
		"Phú Vang Điện Bàn Duy Xuyên Núi Thành Sơn Tịnh Mộ Đức Ba Tơ An Nhơn Tuy Hòa Ninh Hải Phan Rang Thiết Mũi Né Hàm Tánh Lâm Hà Di Linh " +
		"Chơn Thành Bù Đăng Trảng Bàng Gò Dầu Long Khánh Xuyên Mộc Cai Lậy Chợ Gạo Mỏ Cày Cầu Kè Ô Môn Thốt Nốt Phụng Hiệp Vị Thanh Hồng Ngự " +
		"Châu Đốc Hà Tiên Phú Quốc Năm Căn Ngọc Hiển Đầm Dơi Giá Rai Bạc " +
		"xã phường thị trấn huyện quận tỉnh thành phố TP Tp TX thôn xóm ấp bản khu"
	for _, w := range strings.Fields(words) {
		if !nameSyllables[w] {
			nameSyllables[w] = true
			f := vntext.Fold(w)
			nameFolds[f] = append(nameFolds[f], w)
		}
	}
}

// properName puts right the syllables of a person's or a place's name that
// are no name's: each becomes the name syllable nearest to it among those
// spelled alike but for the marks (Vần: Vân, not Văn), when one is
// nearest. doubt says a syllable was put right or is no known one.
func properName(s string) (name string, doubt bool) {
	words := strings.Fields(s)
	for i, w := range words {
		core := strings.Trim(w, ".,;()")
		if core == "" || nameSyllables[core] || nameSyllables[titleCase(core)] {
			continue
		}
		doubt = true
		var nearest []string
		bestD := 1 << 30
		for _, c := range nameFolds[vntext.Fold(core)] {
			switch d := markDistance(titleCase(core), c); {
			case d < bestD:
				nearest, bestD = []string{c}, d
			case d == bestD:
				nearest = append(nearest, c)
			}
		}
		byLetter := len(nearest) == 0
		if byLetter {
			// A letter misread, not a mark (lrọng for Trọng): the
			// syllables one letter off.
			for c := range nameSyllables {
				if isTitle(c) && markDistance(titleCase(core), c) == 1 {
					nearest = append(nearest, c)
				}
			}
			slices.Sort(nearest)
		}
		if len(nearest) > 1 {
			// Of marks as near, the name most people have (Đỉnh: Đình,
			// not Đinh, Định or Đính).
			nearest = slices.DeleteFunc(nearest, func(c string) bool { return !commonNames[c] })
		}
		if len(nearest) == 1 {
			best := nearest[0]
			if !isTitle(core) && !byLetter {
				best = strings.ToLower(best)
			}
			words[i] = strings.Replace(w, core, best, 1)
		}
	}
	return strings.Join(words, " "), doubt
}

// commonSurnames are the family names most Vietnamese have.
var commonSurnames = map[string]bool{"Nguyễn": true, "Trần": true, "Lê": true, "Phạm": true, "Hoàng": true, "Huỳnh": true, "Phan": true,
	"Vũ": true, "Võ": true, "Đặng": true, "Bùi": true, "Đỗ": true, "Hồ": true, "Ngô": true, "Dương": true, "Lý": true}

// commonNames are middle and given names far more often given than the
// others spelled as they are but for the marks.
var commonNames = map[string]bool{}

func init() {
	for _, n := range strings.Fields("Văn Thị Đình Đức Hữu Công Quang Minh Ngọc Thanh Xuân Thu Hồng Kim Gia Bảo Tuấn Trọng Mạnh Quốc Duy Anh Thế Tiến") {
		commonNames[n] = true
	}
}

func titleCase(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	}
	return string(r)
}

func isTitle(s string) bool { return s == titleCase(s) }

// markDistance is the edit distance of a and b written with their marks
// apart (NFD): a lost or a wrong mark is one.
func markDistance(a, b string) int {
	ra, rb := []rune(norm.NFD.String(a)), []rune(norm.NFD.String(b))
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
