package sohoa

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"sohoa/vntext"
)

// FieldKind is how a metadata field is read and checked.
type FieldKind int

const (
	KindText       FieldKind = iota // one line, normalized
	KindLongText                    // several lines
	KindDate                        // a real calendar date, kept as YYYY-MM-DD
	KindYear                        // a four-digit year
	KindInt                         // a non-negative integer
	KindList                        // several lines of text
	KindEnum                        // one of Values
	KindCCCD                        // a 12-digit personal identification number
	KindKyHieu                      // the ký hiệu of an administrative document (TB-SGDĐT)
	KindIdentifier                  // kept exactly as printed: số, số hiệu, số vào sổ, mã hồ sơ
)

// Field describes one metadata field of a document type.
type Field struct {
	Name   string
	Label  string // Vietnamese, for messages
	Kind   FieldKind
	Values []string // for KindEnum
	// Personal marks dates of birth and identification numbers: masked in
	// logs and lists.
	Personal bool
}

// DocType is a kind of record with its own fields.
type DocType struct {
	Name   string
	Label  string
	Fields []Field
	// The fields that name the person the record is about, if any.
	SubjectName, SubjectBirth, SubjectID, SubjectGender string
	// DateField is the record's own date (for ranges and facets by year).
	DateField string
}

// Field returns the field called name.
func (t *DocType) Field(name string) (*Field, bool) {
	for i := range t.Fields {
		if t.Fields[i].Name == name {
			return &t.Fields[i], true
		}
	}
	return nil, false
}

// Document types.
const (
	TypeVanBan    = "van_ban"      // administrative document (Decree 30/2020)
	TypeVanBang   = "van_bang"     // diploma or certificate (Circular 21/2019)
	TypeHoSoCanBo = "ho_so_can_bo" // a paper of a staff member's file
	TypeSoGoc     = "so_goc"       // a page of a register of diplomas (sổ gốc): a row a person
)

var subjectFields = []Field{
	{Name: "doi_tuong_ho_ten", Label: "Họ tên người liên quan", Kind: KindText},
	{Name: "doi_tuong_ngay_sinh", Label: "Ngày sinh người liên quan", Kind: KindDate, Personal: true},
	{Name: "doi_tuong_so_dinh_danh", Label: "Số định danh người liên quan", Kind: KindCCCD, Personal: true},
}

// DocTypes lists every type, by name.
var DocTypes = map[string]*DocType{
	TypeVanBan: {
		Name: TypeVanBan, Label: "Văn bản hành chính", DateField: "ngay_ban_hanh",
		SubjectName: "doi_tuong_ho_ten", SubjectBirth: "doi_tuong_ngay_sinh", SubjectID: "doi_tuong_so_dinh_danh",
		Fields: append([]Field{
			{Name: "so", Label: "Số", Kind: KindIdentifier},
			{Name: "ky_hieu", Label: "Ký hiệu", Kind: KindKyHieu},
			{Name: "ngay_ban_hanh", Label: "Ngày ban hành", Kind: KindDate},
			{Name: "loai_van_ban", Label: "Loại văn bản", Kind: KindText},
			{Name: "co_quan_ban_hanh", Label: "Cơ quan ban hành", Kind: KindText},
			{Name: "co_quan_chu_quan", Label: "Cơ quan chủ quản", Kind: KindText},
			{Name: "trich_yeu", Label: "Trích yếu", Kind: KindLongText},
			{Name: "nguoi_ky_tham_quyen", Label: "Thẩm quyền ký", Kind: KindEnum, Values: []string{"TM.", "KT.", "TL.", "TUQ.", "Q."}},
			{Name: "nguoi_ky_chuc_vu", Label: "Chức vụ người ký", Kind: KindText},
			{Name: "nguoi_ky_ho_ten", Label: "Họ tên người ký", Kind: KindText},
			{Name: "noi_nhan", Label: "Nơi nhận", Kind: KindList},
			{Name: "do_khan", Label: "Độ khẩn", Kind: KindEnum, Values: []string{"Khẩn", "Thượng khẩn", "Hỏa tốc", "Hỏa tốc hẹn giờ"}},
			{Name: "do_mat", Label: "Độ mật", Kind: KindEnum, Values: []string{"Mật", "Tối mật", "Tuyệt mật"}},
			{Name: "so_trang", Label: "Số trang", Kind: KindInt},
			{Name: "ngon_ngu", Label: "Ngôn ngữ", Kind: KindText},
			{Name: "ghi_chu", Label: "Ghi chú", Kind: KindLongText},
			{Name: "ma_ho_so", Label: "Mã hồ sơ", Kind: KindIdentifier},
			{Name: "thoi_han_bao_quan", Label: "Thời hạn bảo quản", Kind: KindEnum, Values: []string{"Vĩnh viễn", "70 năm", "50 năm", "30 năm", "20 năm", "10 năm"}},
			{Name: "che_do_su_dung", Label: "Chế độ sử dụng", Kind: KindText},
		}, subjectFields...),
	},
	TypeVanBang: {
		Name: TypeVanBang, Label: "Văn bằng, chứng chỉ", DateField: "nam_tot_nghiep",
		SubjectName: "ho_ten", SubjectBirth: "ngay_sinh", SubjectID: "so_dinh_danh", SubjectGender: "gioi_tinh",
		Fields: []Field{
			{Name: "loai_van_bang", Label: "Loại văn bằng", Kind: KindText},
			{Name: "ho_ten", Label: "Họ tên", Kind: KindText},
			{Name: "ngay_sinh", Label: "Ngày sinh", Kind: KindDate, Personal: true},
			{Name: "noi_sinh", Label: "Nơi sinh", Kind: KindText},
			{Name: "gioi_tinh", Label: "Giới tính", Kind: KindEnum, Values: []string{"Nam", "Nữ"}},
			{Name: "dan_toc", Label: "Dân tộc", Kind: KindText},
			{Name: "nam_tot_nghiep", Label: "Năm tốt nghiệp", Kind: KindYear},
			{Name: "so_hieu", Label: "Số hiệu", Kind: KindIdentifier},
			{Name: "so_vao_so", Label: "Số vào sổ", Kind: KindIdentifier},
			{Name: "truong", Label: "Trường", Kind: KindText},
			{Name: "hoi_dong_thi", Label: "Hội đồng thi", Kind: KindText},
			{Name: "quyet_dinh_cong_nhan", Label: "Quyết định công nhận", Kind: KindText},
			{Name: "so_dinh_danh", Label: "Số định danh cá nhân (CCCD)", Kind: KindCCCD, Personal: true},
		},
	},
	TypeSoGoc: {
		Name: TypeSoGoc, Label: "Trang sổ gốc cấp văn bằng", DateField: "nam_tot_nghiep",
		Fields: []Field{
			{Name: "loai_van_bang", Label: "Loại văn bằng", Kind: KindText},
			{Name: "nam_tot_nghiep", Label: "Năm tốt nghiệp", Kind: KindYear},
			{Name: "hoi_dong_thi", Label: "Hội đồng thi", Kind: KindText},
			{Name: "truong", Label: "Trường", Kind: KindText},
		},
	},
	TypeHoSoCanBo: {
		Name: TypeHoSoCanBo, Label: "Hồ sơ cán bộ, công chức, viên chức", DateField: "ngay",
		SubjectName: "ho_ten", SubjectBirth: "ngay_sinh", SubjectID: "so_dinh_danh", SubjectGender: "gioi_tinh",
		Fields: []Field{
			{Name: "ho_ten", Label: "Họ tên", Kind: KindText},
			{Name: "ngay_sinh", Label: "Ngày sinh", Kind: KindDate, Personal: true},
			{Name: "gioi_tinh", Label: "Giới tính", Kind: KindEnum, Values: []string{"Nam", "Nữ"}},
			{Name: "so_dinh_danh", Label: "Số định danh cá nhân (CCCD)", Kind: KindCCCD, Personal: true},
			{Name: "don_vi", Label: "Đơn vị", Kind: KindText},
			{Name: "loai_giay_to", Label: "Loại giấy tờ", Kind: KindText},
			{Name: "ngay", Label: "Ngày", Kind: KindDate},
		},
	},
}

// Metadata holds a document's fields: strings, but for KindInt (int) and
// KindList ([]string).
type Metadata map[string]any

func fieldErr(f *Field, format string, args ...any) *Error {
	return FieldError(f.Name, "Trường %s (%s): %s", f.Name, f.Label, fmt.Sprintf(format, args...))
}

var (
	kyHieuRE = regexp.MustCompile(`^\p{Lu}[\p{L}\d&]*(?:-[\p{Lu}\d][\p{L}\d&.]*)+$`)
	yearRE   = regexp.MustCompile(`^\d{4}$`)
	limits   = map[FieldKind]int{KindText: 500, KindLongText: 2000, KindIdentifier: 100, KindKyHieu: 50}
)

// ValidateMetadata checks raw fields (from JSON or a form) against the type
// and returns them normalized. Unknown fields, wrong types, impossible
// dates, malformed identifiers and a CCCD inconsistent with the birth date
// or sex are errors naming the field; every field at fault is named.
func ValidateMetadata(typeName string, raw map[string]any) (Metadata, error) {
	t, ok := DocTypes[typeName]
	if !ok {
		return nil, FieldError("type", "Loại hồ sơ %q không hợp lệ (%s).", typeName, strings.Join(TypeNames(), ", "))
	}
	out := Metadata{}
	var errs Problems
	for _, name := range sortedKeys(raw) {
		v := raw[name]
		f, ok := t.Field(name)
		if !ok {
			errs.Add(name, "Trường %q không có trong loại %q (%s).", name, t.Name, t.Label)
			continue
		}
		if v == nil {
			continue
		}
		nv, err := normalizeField(f, v)
		if err != nil {
			errs.AddError(err)
			continue
		}
		if nv != nil {
			out[name] = nv
		}
	}
	if len(errs) == 0 {
		errs.AddError(checkSubject(t, out))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TypeNames lists the type names, sorted.
func TypeNames() []string { return sortedKeys(DocTypes) }

func oneLine(s string) string { return strings.Join(strings.Fields(vntext.Normalize(s)), " ") }

// normalizeField checks one value of field f and returns it as kept, nil
// for an empty one.
func normalizeField(f *Field, v any) (any, error) {
	switch f.Kind {
	case KindList:
		return normalizeList(f, v)
	case KindInt:
		return normalizeInt(f, v)
	}
	s, ok := v.(string)
	if !ok {
		n, isNum := v.(float64)
		if !isNum || f.Kind != KindYear {
			return nil, fieldErr(f, "phải là chuỗi ký tự.")
		}
		s = strconv.Itoa(int(n))
	}
	if f.Kind == KindLongText {
		lines := strings.Split(vntext.Normalize(s), "\n")
		for i := range lines {
			lines[i] = strings.Join(strings.Fields(lines[i]), " ")
		}
		s = strings.TrimSpace(strings.Join(lines, "\n"))
	} else {
		s = oneLine(s)
	}
	if s == "" {
		return nil, nil
	}
	if max := limits[f.Kind]; max > 0 && len([]rune(s)) > max {
		return nil, fieldErr(f, "dài %d ký tự, tối đa %d.", len([]rune(s)), max)
	}
	return checkString(f, s)
}

// normalizeList reads a list field: a JSON array of strings, or lines.
func normalizeList(f *Field, v any) (any, error) {
	var items []string
	switch v := v.(type) {
	case []string:
		items = v
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fieldErr(f, "phải là danh sách chuỗi ký tự.")
			}
			items = append(items, s)
		}
	case string:
		items = strings.Split(v, "\n")
	default:
		return nil, fieldErr(f, "phải là danh sách chuỗi ký tự.")
	}
	var out []string
	for _, s := range items {
		if s = oneLine(s); s != "" {
			if len([]rune(s)) > 500 {
				return nil, fieldErr(f, "mỗi dòng tối đa 500 ký tự.")
			}
			out = append(out, s)
		}
	}
	if len(out) > 100 {
		return nil, fieldErr(f, "tối đa 100 dòng.")
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// normalizeInt reads an integer field: a JSON number or digits.
func normalizeInt(f *Field, v any) (any, error) {
	var n int
	switch v := v.(type) {
	case float64:
		if v != float64(int(v)) {
			return nil, fieldErr(f, "phải là số nguyên.")
		}
		n = int(v)
	case int:
		n = v
	case string:
		var err error
		if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return nil, fieldErr(f, "%q không phải số nguyên.", v)
		}
	default:
		return nil, fieldErr(f, "phải là số nguyên.")
	}
	if n < 0 || n > 100000 {
		return nil, fieldErr(f, "phải từ 0 đến 100000.")
	}
	return n, nil
}

// checkString checks a normalized, non-empty string against its kind.
func checkString(f *Field, s string) (any, error) {
	switch f.Kind {
	case KindDate:
		d, err := ParseDate(s)
		if err != nil {
			return nil, fieldErr(f, "%v", err)
		}
		return d, nil
	case KindYear:
		if !yearRE.MatchString(s) {
			return nil, fieldErr(f, "%q không phải năm (4 chữ số).", s)
		}
		if y, _ := strconv.Atoi(s); y < 1900 || y > time.Now().Year()+1 {
			return nil, fieldErr(f, "năm %s không hợp lệ.", s)
		}
	case KindEnum:
		for _, val := range f.Values {
			if strings.EqualFold(val, s) {
				return val, nil
			}
		}
		return nil, fieldErr(f, "%q không hợp lệ (một trong: %s).", s, strings.Join(f.Values, ", "))
	case KindCCCD:
		if err := CheckCCCD(s); err != nil {
			return nil, fieldErr(f, "%v", err)
		}
	case KindKyHieu:
		if !kyHieuRE.MatchString(s) {
			return nil, fieldErr(f, "%q không đúng dạng ký hiệu văn bản (ví dụ KH-SGDĐT, UBND-VX).", s)
		}
	}
	return s, nil
}

// ParseDate reads YYYY-MM-DD or DD/MM/YYYY and returns YYYY-MM-DD, refusing
// dates that do not exist (30/02).
func ParseDate(s string) (string, error) {
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.After(time.Now().AddDate(1, 0, 0)) {
				return "", fmt.Errorf("ngày %s nằm ngoài khoảng hợp lệ", s)
			}
			return t.Format("2006-01-02"), nil
		}
	}
	var d, m, y int
	if n, _ := fmt.Sscanf(strings.ReplaceAll(s, "-", "/"), "%d/%d/%d", &d, &m, &y); n == 3 {
		if d > 1000 { // written year first
			d, y = y, d
		}
		return "", fmt.Errorf("ngày %02d/%02d/%04d không tồn tại", d, m, y)
	}
	return "", fmt.Errorf("%q không phải ngày (dạng YYYY-MM-DD hoặc DD/MM/YYYY)", s)
}

// checkSubject checks a CCCD against the birth date and sex beside it.
func checkSubject(t *DocType, m Metadata) error {
	id, _ := m[t.SubjectID].(string)
	if id == "" {
		return nil
	}
	f, _ := t.Field(t.SubjectID)
	birth, _ := m[t.SubjectBirth].(string)
	gender := ""
	if t.SubjectGender != "" {
		gender, _ = m[t.SubjectGender].(string)
	}
	if err := CCCDMatches(id, birth, gender); err != nil {
		return fieldErr(f, "%v", err)
	}
	return nil
}

// Subject is the person a record is about.
type Subject struct {
	Name      string `json:"ho_ten,omitempty"`
	BirthDate string `json:"ngay_sinh,omitempty"`
	ID        string `json:"so_dinh_danh,omitempty"`
}

// SubjectOf returns the person the metadata names, or nil.
func SubjectOf(typeName string, m Metadata) *Subject {
	t, ok := DocTypes[typeName]
	if !ok || t.SubjectName == "" {
		return nil
	}
	s := &Subject{}
	s.Name, _ = m[t.SubjectName].(string)
	s.BirthDate, _ = m[t.SubjectBirth].(string)
	s.ID, _ = m[t.SubjectID].(string)
	if *s == (Subject{}) {
		return nil
	}
	return s
}

// DateOf returns the record's own date (YYYY-MM-DD, or YYYY-01-01 for a
// year), or "".
func DateOf(typeName string, m Metadata) string {
	t, ok := DocTypes[typeName]
	if !ok {
		return ""
	}
	v, _ := m[t.DateField].(string)
	if len(v) == 4 {
		return v + "-01-01"
	}
	return v
}

// OwnDate is the record's own date (its type's DateField) as entered: a
// day YYYY-MM-DD or a year; "" without one.
func (d *Document) OwnDate() string {
	if t, ok := DocTypes[d.Type]; ok {
		v, _ := d.Metadata[t.DateField].(string)
		return v
	}
	return ""
}

// DuplicateKey returns what makes the record unique among its kind, or "":
// (số, ký hiệu, cơ quan ban hành) for an administrative document, (số vào
// sổ, year) for a diploma. Identifiers are compared as printed.
func DuplicateKey(typeName string, m Metadata) string {
	get := func(k string) string { s, _ := m[k].(string); return s }
	switch typeName {
	case TypeVanBan:
		if get("so") != "" && get("ky_hieu") != "" && get("co_quan_ban_hanh") != "" {
			year := ""
			if d := get("ngay_ban_hanh"); d != "" {
				year = d[:4]
			}
			// Numbers restart each calendar year.
			return "van_ban|" + get("so") + "/" + get("ky_hieu") + "|" + strings.ToLower(get("co_quan_ban_hanh")) + "|" + year
		}
	case TypeVanBang:
		if get("so_vao_so") != "" {
			return "van_bang|" + get("so_vao_so") + "|" + get("nam_tot_nghiep")
		}
	}
	return ""
}

// SoKyHieu returns "số/ký hiệu" of an administrative document, or "".
func SoKyHieu(m Metadata) string {
	so, _ := m["so"].(string)
	kh, _ := m["ky_hieu"].(string)
	if so == "" || kh == "" {
		return ""
	}
	return so + "/" + kh
}

// Masked returns a copy of m with dates of birth and identification numbers
// masked, for lists and callers that do not need them.
func (m Metadata) Masked(typeName string) Metadata {
	t, ok := DocTypes[typeName]
	out := Metadata{}
	for k, v := range m {
		out[k] = v
		if !ok {
			continue
		}
		if f, ok := t.Field(k); ok && f.Personal {
			s, _ := v.(string)
			out[k] = MaskPersonal(f.Kind, s)
		}
	}
	return out
}

// MaskPersonal masks a personal value of kind k.
func MaskPersonal(k FieldKind, s string) string {
	switch k {
	case KindCCCD:
		return MaskCCCD(s)
	case KindDate:
		if len(s) == 10 {
			return s[:4] + "-**-**"
		}
	}
	return "***"
}
