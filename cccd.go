package sohoa

import (
	"fmt"
	"strconv"
)

// provinceCodes are the birth-registration codes that open a CCCD number
// (Circular 07/2016/TT-BCA), one per province as they stood then.
var provinceCodes = map[string]string{
	"001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
	"010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
	"017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
	"025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
	"033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
	"038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
	"046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
	"054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
	"064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
	"072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "TP. Hồ Chí Minh",
	"080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
	"087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
	"094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

// CheckCCCD checks the structure of a 12-digit personal identification
// number: PPP C YY NNNNNN, a known province code, a century-and-sex digit.
// There is no check digit to verify.
func CheckCCCD(id string) error {
	if len(id) != 12 {
		return fmt.Errorf("số định danh phải có đúng 12 chữ số (nhận được %d ký tự)", len([]rune(id)))
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return fmt.Errorf("số định danh chỉ gồm chữ số")
		}
	}
	if _, ok := provinceCodes[id[:3]]; !ok {
		return fmt.Errorf("mã tỉnh %s không tồn tại", id[:3])
	}
	return nil
}

// CCCDMatches checks id against a birth date (YYYY-MM-DD) and a sex ("Nam",
// "Nữ"), each when given: the century-and-sex digit and the birth year's
// last two digits must agree.
func CCCDMatches(id, birth, sex string) error {
	if err := CheckCCCD(id); err != nil {
		return err
	}
	c := int(id[3] - '0')
	century := 1900 + (c/2)*100 // 0/1: 1900s, 2/3: 2000s, … (even: male, odd: female)
	if birth != "" {
		year, err := strconv.Atoi(birth[:4])
		if err == nil {
			if year/100*100 != century || fmt.Sprintf("%02d", year%100) != id[4:6] {
				return fmt.Errorf("số định danh %s không khớp năm sinh %d (chữ số thứ 4–6 phải là thế kỷ, giới tính và hai số cuối năm sinh)", MaskCCCD(id), year)
			}
		}
	}
	switch {
	case sex == "Nam" && c%2 != 0, sex == "Nữ" && c%2 != 1:
		return fmt.Errorf("số định danh %s không khớp giới tính %s", MaskCCCD(id), sex)
	}
	return nil
}

// MaskCCCD keeps the province code and the last three digits: 034******123.
func MaskCCCD(id string) string {
	if len(id) < 7 {
		return "***"
	}
	return id[:3] + "******" + id[len(id)-3:]
}
