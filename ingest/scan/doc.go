// Package scan owns the image file formats sohoa accepts (PNG, JPEG, TIFF
// including multi-page TIFF): telling them by their bytes, never by name;
// reading each page's size and resolution from the headers without decoding
// a pixel (so that a decompression bomb is refused before it is decoded);
// checking a file's structure before OCR (truncated or corrupt files fail
// with a reason); and cutting a multi-page TIFF into single-page TIFFs
// without recompressing a byte of image data.
package scan
