// Package search owns the Bleve index: its mapping, the Vietnamese analysis,
// queries, and the snippets with highlights.
//
// One index document per sohoa document: its title, its pages as an array
// (so every match knows its page), and the identifiers found in its text.
// Each text field is indexed twice (principle 5 of DESIGN.md): exact
// (diacritics kept, tone marks placed one way, lowercased) and folded
// (diacritics dropped, đ→d). A query must match the folded field, so "le quang
// tuan" finds "Lê Quang Tuấn"; matching the exact field and whole phrases
// adds to the score, so a query typed with diacritics ranks exact spelling
// first. Folding is a token filter, not Bleve's asciifolding char filter,
// so offsets stay those of the original text and highlights land right.
// Identifiers (87/TB-SGDĐT, B 0174420, 0415/THPT/2022) are also kept as
// keywords, never folded: HD and HĐ are different document types.
//
// The index is derived: `sohoa rebuild` recreates it from the store.
package search
