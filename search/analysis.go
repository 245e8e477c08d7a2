package search

import (
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"

	"sohoa/vntext"
)

// Analyzer names in the index mapping.
const (
	analyzerExact  = "sohoa_vi_exact"
	analyzerFolded = "sohoa_vi_folded"
)

// tokenFilter applies fn to every token's term, keeping its offsets.
type tokenFilter func(string) string

func (f tokenFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, tok := range in {
		tok.Term = []byte(f(string(tok.Term)))
	}
	return in
}

func exactTerm(s string) string  { return strings.ToLower(vntext.Normalize(s)) }
func foldedTerm(s string) string { return vntext.Fold(s) }

// init adds sohoa's analyzers to Bleve's registry, which is global: the
// mapping can name only registered analyzers, and Bleve reads an index
// only when its mapping's analyzers are there.
func init() {
	for name, f := range map[string]tokenFilter{analyzerExact: exactTerm, analyzerFolded: foldedTerm} {
		err := registry.RegisterAnalyzer(name, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return &analysis.DefaultAnalyzer{Tokenizer: unicode.NewUnicodeTokenizer(), TokenFilters: []analysis.TokenFilter{f}}, nil
		})
		if err != nil {
			panic(err)
		}
	}
}

// Identifier shapes: số và ký hiệu (87/TB-SGDĐT, 15/BC-THPTCVA, 12/UBND-VX),
// entry numbers (0415/THPT/2022) and diploma serials (B 0174420).
var identifierRE = regexp.MustCompile(`\b\d{1,6}/[\p{Lu}][\p{Lu}\p{Ll}\d&]*(?:[-/][\p{Lu}\d][\p{Lu}\p{Ll}\d&]*)*|\b\p{Lu}{1,3} ?\d{6,8}\b`)

// Identifiers returns the identifiers found in text, canonical.
func Identifiers(text string) []string {
	var ids []string
	seen := map[string]bool{}
	for _, m := range identifierRE.FindAllString(text, -1) {
		id := CanonicalIdentifier(m)
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// CanonicalIdentifier is the form an identifier is kept and looked up in:
// normalized, upper case, without spaces. Diacritics stay: HD ≠ HĐ.
func CanonicalIdentifier(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(vntext.Normalize(s)), ""))
}

// looksLikeIdentifier reports whether a whole query is one identifier.
func looksLikeIdentifier(q string) bool {
	m := identifierRE.FindString(q)
	return m != "" && len(m) == len(strings.TrimSpace(q))
}
