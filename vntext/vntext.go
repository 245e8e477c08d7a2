package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tone marks as combining characters (NFD). Vowel-quality marks (circumflex,
// breve, horn) are not tones and never move.
const (
	toneGrave = '\u0300'
	toneAcute = '\u0301'
	toneTilde = '\u0303'
	toneHook  = '\u0309'
	toneDot   = '\u0323'
)

func isTone(r rune) bool {
	switch r {
	case toneGrave, toneAcute, toneTilde, toneHook, toneDot:
		return true
	}
	return false
}

// lookalikes maps characters that OCR and old fonts produce in place of the
// ones they look like.
var lookalikes = strings.NewReplacer(
	"\u00D0", "Đ", // Ð (Icelandic eth)
	"\u0189", "Đ", // Ɖ (African D)
	"\u2044", "/", // ⁄ fraction slash
	"\u2215", "/", // ∕ division slash
	"\uFF0F", "/", // ／ fullwidth solidus
	"\u00A0", " ",
	"\u200B", "",
)

// Normalize returns s in NFC with look-alikes mapped and the tone mark of
// every syllable on the vowel where the traditional placement puts it
// ("hoà"→"hòa", "thuỷ"→"thủy").
func Normalize(s string) string {
	s = lookalikes.Replace(norm.NFC.String(s))
	if !needsTonePlacement(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			b.WriteString(placeTone(s[start:i]))
			start = -1
		}
		b.WriteRune(r)
	}
	if start >= 0 {
		b.WriteString(placeTone(s[start:]))
	}
	return b.String()
}

// needsTonePlacement reports whether s holds a toned o, e, u or y at all, the
// only letters the new-style placement puts marks on; most text skips the
// per-syllable pass.
func needsTonePlacement(s string) bool {
	for _, r := range s {
		if r < 0x80 {
			continue
		}
		d := norm.NFD.String(string(r))
		base, _ := utf8.DecodeRuneInString(d)
		switch unicode.ToLower(base) {
		case 'a', 'e', 'y':
			for _, m := range d[utf8.RuneLen(base):] {
				if isTone(m) {
					return true
				}
			}
		}
	}
	return false
}

// placeTone moves the tone mark of one syllable from the last vowel of an
// open "oa", "oe" or "uy" to the first: the new-style "hoà", "khoẻ", "thuỷ"
// become "hòa", "khỏe", "thủy". "quý", "quà" keep theirs: there u belongs to
// the consonant qu.
func placeTone(word string) string {
	type letter struct {
		base  rune
		marks []rune
	}
	var ls []letter
	tone := rune(0)
	toneAt := -1
	for _, r := range norm.NFD.String(word) {
		if unicode.Is(unicode.Mn, r) {
			if len(ls) == 0 {
				return word
			}
			if isTone(r) {
				if tone != 0 {
					return word // two tones: not a Vietnamese syllable
				}
				tone, toneAt = r, len(ls)-1
				continue
			}
			ls[len(ls)-1].marks = append(ls[len(ls)-1].marks, r)
			continue
		}
		ls = append(ls, letter{base: r})
	}
	n := len(ls)
	if tone == 0 || n < 2 || toneAt != n-1 || len(ls[n-1].marks) > 0 || len(ls[n-2].marks) > 0 {
		return word
	}
	pair := string(unicode.ToLower(ls[n-2].base)) + string(unicode.ToLower(ls[n-1].base))
	switch pair {
	case "oa", "oe":
		if n >= 3 && unicode.ToLower(ls[n-3].base) == 'q' {
			return word
		}
	case "uy":
		if n >= 3 && unicode.ToLower(ls[n-3].base) == 'q' {
			return word
		}
	default:
		return word
	}
	ls[n-2].marks = append(ls[n-2].marks, tone)
	var b strings.Builder
	for _, l := range ls {
		b.WriteRune(l.base)
		for _, m := range l.marks {
			b.WriteRune(m)
		}
	}
	return norm.NFC.String(b.String())
}

// Fold drops every diacritic and maps đ/Đ to d, lowercasing: "Đỗ Thị" → "do thi".
// It is meant for single tokens; it keeps no offsets.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ' || r == '\u00D0' || r == '\u0189' || r == '\u0111':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// IsASCII reports whether s has no diacritics to fold, the case where a
// query was typed without them.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
