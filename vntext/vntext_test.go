package vntext

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"new-style oa", "Hoà Bình", "Hòa Bình"},
		{"new-style uy", "thuỷ lợi", "thủy lợi"},
		{"new-style oe", "sức khoẻ", "sức khỏe"},
		{"capital", "HOÀ", "HÒA"},
		{"qu keeps its vowel", "quý, quà", "quý, quà"},
		{"closed syllable unchanged", "hoàn thành, thuyết", "hoàn thành, thuyết"},
		{"already traditional", "Hòa thủy", "Hòa thủy"},
		{"decomposed input", norm.NFD.String("Đỗ Thị Dung"), "Đỗ Thị Dung"},
		{"eth look-alike", "\u00D0ỗ", "Đỗ"},
		{"fraction slash", "87\u2044TB-SGDĐT", "87/TB-SGDĐT"},
		{"plain ascii", "B 0174420", "B 0174420"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Lê Quang Tuấn", "le quang tuan"},
		{"Đỗ Thị Dung", "do thi dung"},
		{norm.NFD.String("Đỗ"), "do"},
		{"thủy", "thuy"},
		{"thuỷ", "thuy"},
		{"SGDĐT", "sgddt"},
		{"Nguyễn", "nguyen"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
