package sohoa

import (
	"errors"
	"testing"
)

func TestValidateMetadata(t *testing.T) {
	tests := []struct {
		name  string
		typ   string
		raw   map[string]any
		field string // the field a 400 must name; "" when valid
	}{
		{"diploma", TypeVanBang, map[string]any{"ho_ten": " Lê  Quang Tuấn ", "ngay_sinh": "12/04/2004", "gioi_tinh": "nam",
			"so_hieu": "B 0174420", "so_vao_so": "0415/THPT/2022", "nam_tot_nghiep": "2022", "so_dinh_danh": "030204001234"}, ""},
		{"administrative", TypeVanBan, map[string]any{"so": "87", "ky_hieu": "TB-SGDĐT", "ngay_ban_hanh": "2025-02-06",
			"noi_nhan": []any{"Các đơn vị trực thuộc;", "Lưu: VT, QLCL."}, "so_trang": 2.0, "nguoi_ky_tham_quyen": "KT."}, ""},
		{"công văn ký hiệu", TypeVanBan, map[string]any{"ky_hieu": "UBND-VX"}, ""},
		{"unknown type", "bang_khen", map[string]any{}, "type"},
		{"unknown field", TypeVanBang, map[string]any{"ho_va_ten": "x"}, "ho_va_ten"},
		{"wrong type", TypeVanBang, map[string]any{"ho_ten": 12.0}, "ho_ten"},
		{"30 February", TypeVanBang, map[string]any{"ngay_sinh": "30/02/2005"}, "ngay_sinh"},
		{"not a date", TypeVanBan, map[string]any{"ngay_ban_hanh": "hôm qua"}, "ngay_ban_hanh"},
		{"11-digit CCCD", TypeHoSoCanBo, map[string]any{"so_dinh_danh": "03020400123"}, "so_dinh_danh"},
		{"unknown province", TypeHoSoCanBo, map[string]any{"so_dinh_danh": "003204001234"}, "so_dinh_danh"},
		{"CCCD century against birth year", TypeVanBang, map[string]any{"so_dinh_danh": "030004001234", "ngay_sinh": "2004-04-12"}, "so_dinh_danh"},
		{"CCCD year against birth year", TypeVanBang, map[string]any{"so_dinh_danh": "030205001234", "ngay_sinh": "2004-04-12"}, "so_dinh_danh"},
		{"CCCD sex", TypeVanBang, map[string]any{"so_dinh_danh": "030204001234", "gioi_tinh": "Nữ"}, "so_dinh_danh"},
		{"ký hiệu shape", TypeVanBan, map[string]any{"ky_hieu": "87/TB SGDĐT"}, "ky_hieu"},
		{"enum", TypeVanBan, map[string]any{"do_mat": "Bí mật"}, "do_mat"},
		{"negative pages", TypeVanBan, map[string]any{"so_trang": -1.0}, "so_trang"},
		{"year", TypeVanBang, map[string]any{"nam_tot_nghiep": "22"}, "nam_tot_nghiep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ValidateMetadata(tt.typ, tt.raw)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid metadata refused: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Field != tt.field || e.Message == "" {
				t.Fatalf("got %v (%+v), want an invalid error naming %q", m, err, tt.field)
			}
		})
	}
}

func TestNormalizedAsPrinted(t *testing.T) {
	m, err := ValidateMetadata(TypeVanBang, map[string]any{"ho_ten": " Lê  Quang Tuấn ", "ngay_sinh": "12/04/2004",
		"gioi_tinh": "nam", "so_hieu": "B 0174420", "so_vao_so": "0415/THPT/2022", "nam_tot_nghiep": 2022.0})
	if err != nil {
		t.Fatal(err)
	}
	want := Metadata{"ho_ten": "Lê Quang Tuấn", "ngay_sinh": "2004-04-12", "gioi_tinh": "Nam", "so_hieu": "B 0174420",
		"so_vao_so": "0415/THPT/2022", "nam_tot_nghiep": "2022"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	// HD and HĐ are different document types: never folded.
	a, _ := ValidateMetadata(TypeVanBan, map[string]any{"so": "12", "ky_hieu": "HD-SGDĐT", "co_quan_ban_hanh": "Sở GD&ĐT"})
	b, _ := ValidateMetadata(TypeVanBan, map[string]any{"so": "12", "ky_hieu": "HĐ-SGDĐT", "co_quan_ban_hanh": "Sở GD&ĐT"})
	if DuplicateKey(TypeVanBan, a) == DuplicateKey(TypeVanBan, b) || SoKyHieu(b) != "12/HĐ-SGDĐT" {
		t.Fatalf("HD and HĐ were confused: %q %q", DuplicateKey(TypeVanBan, a), DuplicateKey(TypeVanBan, b))
	}
}

func TestMasking(t *testing.T) {
	if got := MaskCCCD("034204001123"); got != "034******123" {
		t.Fatalf("MaskCCCD = %q", got)
	}
	d := &Document{Type: TypeVanBang, Metadata: Metadata{"ho_ten": "Đỗ Thị Dung", "ngay_sinh": "2005-12-02", "so_dinh_danh": "030305001234"}}
	d.Subject = SubjectOf(d.Type, d.Metadata)
	m := d.Masked()
	if m.Metadata["ngay_sinh"] != "2005-**-**" || m.Metadata["so_dinh_danh"] != "030******234" || m.Metadata["ho_ten"] != "Đỗ Thị Dung" {
		t.Fatalf("masked metadata %v", m.Metadata)
	}
	if m.Subject.ID != "030******234" || m.Subject.BirthDate != "2005-**-**" {
		t.Fatalf("masked subject %+v", m.Subject)
	}
	if d.Metadata["so_dinh_danh"] != "030305001234" {
		t.Fatal("Masked changed the original")
	}
}

func TestReach(t *testing.T) {
	so := "/SGD/"
	phong := "/SGD/PGD/"
	school := "/SGD/PGD/THA/"
	sibling := "/SGD/PGD/THB/"
	tests := []struct {
		role, unit, target string
		read, edit         bool
	}{
		{RoleClerk, school, school, true, true},
		{RoleClerk, school, phong, false, false},
		{RoleClerk, school, sibling, false, false},
		{RoleClerk, phong, school, false, false},
		{RoleOfficial, phong, school, true, false},
		{RoleOfficial, phong, phong, true, false},
		{RoleOfficial, school, phong, false, false},
		{RoleOfficial, school, sibling, false, false},
		{RoleAdmin, school, sibling, true, true},
		{RoleSystem, so, school, false, false},
	}
	for _, tt := range tests {
		p := &Principal{Role: tt.role, UnitPath: tt.unit}
		if p.CanRead(tt.target) != tt.read || p.CanEdit(tt.target) != tt.edit {
			t.Errorf("%s of %s on %s: read %v edit %v, want %v %v", tt.role, tt.unit, tt.target,
				p.CanRead(tt.target), p.CanEdit(tt.target), tt.read, tt.edit)
		}
	}
	if got := AncestorPaths(school); len(got) != 3 || got[0] != so || got[2] != school {
		t.Fatalf("AncestorPaths = %v", got)
	}
}
