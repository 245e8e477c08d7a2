// Package vntext owns the normalization of Vietnamese text: one Unicode form
// (NFC), one tone-mark placement (Hòa, not Hoà), look-alike characters mapped
// to the letters they imitate, and accent folding (diacritics dropped, đ→d).
//
// Every text sohoa stores or indexes goes through Normalize once, so that the
// offsets the search index keeps point at the characters users are shown.
// Fold is meant to run per token (a Bleve token filter) so that it never shifts
// offsets in the original text.
package vntext
