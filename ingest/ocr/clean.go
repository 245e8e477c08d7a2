package ocr

/*
#cgo LDFLAGS: -llept -ltesseract
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

typedef struct {
	unsigned char *data;
	size_t size;
	int width, height;   // of the original image
	int xres;            // declared resolution, 0 when none
	float scale;         // upscaling applied first
	int quads;           // then quarter turns clockwise
	float skew;          // then a rotation by this many degrees
	int median;          // whether the 3x3 median ran
	float noise;         // the background noise measured
	int err;
} clean_result;

enum { OPT_ORIENT = 1, OPT_DESKEW = 2, OPT_UPSCALE = 4, OPT_DENOISE = 8 };

static PIX *swap(PIX *old, PIX *fresh) {
	if (fresh == NULL) return old;
	if (fresh != old) pixDestroy(&old);
	return fresh;
}

// background_noise is the mean difference between an 8-bit image and its
// 3x3 median over the paper (where the median is light), on a central
// window: about 0 on a clean scan, high under speckles.
static float background_noise(PIX *g) {
	int w = pixGetWidth(g), h = pixGetHeight(g);
	int cw = w < 800 ? w : 800, ch = h < 800 ? h : 800;
	BOX *box = boxCreate((w - cw) / 2, (h - ch) / 2, cw, ch);
	PIX *c = pixClipRectangle(g, box, NULL);
	boxDestroy(&box);
	if (!c) return 0;
	PIX *m = pixMedianFilter(c, 3, 3);
	if (!m) { pixDestroy(&c); return 0; }
	l_uint32 *dc = pixGetData(c), *dm = pixGetData(m);
	int wc = pixGetWpl(c), wm = pixGetWpl(m);
	double sum = 0;
	long n = 0;
	for (int y = 1; y < ch - 1; y++)
		for (int x = 1; x < cw - 1; x++) {
			int b = GET_DATA_BYTE(dm + y * wm, x);
			if (b < 160) continue; // ink, not paper
			sum += abs(GET_DATA_BYTE(dc + y * wc, x) - b);
			n++;
		}
	pixDestroy(&c);
	pixDestroy(&m);
	return n ? sum / n : 0;
}

static void clean_page(const unsigned char *data, size_t size, TessBaseAPI *osd, int opts, clean_result *r) {
	memset(r, 0, sizeof *r);
	r->scale = 1;
	PIX *pix = pixReadMem(data, size);
	if (!pix) { r->err = 1; return; }
	r->width = pixGetWidth(pix);
	r->height = pixGetHeight(pix);
	r->xres = pixGetXRes(pix);
	PIX *g;
	if (pixGetDepth(pix) == 32)
		// The red channel alone: a red seal over the signer's name is near
		// paper there while black and blue ink stay dark. Measured on a red
		// seal over "Vũ Đình Khang" (testdata/redseal-crop.jpg): read with
		// the red channel, lost with 0.8/0.15/0.05 or 0.6/0.3/0.1 weights
		// and by bare tesseract. Red stamps (khẩn, mật) fade too.
		g = pixConvertRGBToGray(pix, 1.0, 0.0, 0.0);
	else
		g = pixConvertTo8(pix, 0);
	pixDestroy(&pix);
	if (!g) { r->err = 2; return; }
	// Pages under 200 dpi are brought to 225: on the sample pages as
	// accurate as 300 and 30% faster to read.
	if ((opts & OPT_UPSCALE) && r->xres > 0 && r->xres < 200) {
		r->scale = 225.0f / r->xres;
		g = swap(g, pixScaleGrayLI(g, r->scale, r->scale));
	}
	if (opts & OPT_DENOISE) {
		// A 3x3 median took a photocopy's speckles from 36% CER to 13% but
		// costs a little on clean scans (0.2 points, 0.1 s): only where the
		// paper is noisy. Measured on the degraded samples: clean scans
		// 0.0-0.5, noisy JPEGs and photocopies 3.6-4.1.
		r->noise = background_noise(g);
		if (r->noise > 2.0) {
			g = swap(g, pixMedianFilter(g, 3, 3));
			r->median = 1;
		}
	}
	if (opts & OPT_ORIENT && osd) {
		int deg = 0;
		float conf = 0, sconf = 0;
		const char *script = NULL;
		// Orientation needs no more than ~150 dpi: a quarter of the pixels.
		PIX *small = pixGetWidth(g) > 1800 ? pixScaleAreaMap(g, 0.5, 0.5) : pixClone(g);
		TessBaseAPISetImage2(osd, small);
		if (TessBaseAPIDetectOrientationScript(osd, &deg, &conf, &script, &sconf) && conf > 2.0 && deg != 0) {
			// deg is how far the page is turned counter-clockwise: turn it back.
			r->quads = ((360 - deg) / 90) % 4;
			g = swap(g, pixRotateOrth(g, r->quads));
		}
		// script points into the model (Tesseract 5): not ours to free.
		TessBaseAPIClear(osd);
		pixDestroy(&small);
	}
	if (opts & OPT_DESKEW) {
		PIX *b = pixConvertTo1(g, 128);
		float angle = 0, conf = 0;
		if (b && pixFindSkew(b, &angle, &conf) == 0 && conf > 2.5 && fabsf(angle) > 0.1f) {
			r->skew = angle;
			// Shear rotation: for a degree or two as good as area mapping, and
			// a tenth of a second faster on an A4 page.
			g = swap(g, pixRotate(g, angle * 3.14159265f / 180.0f, L_ROTATE_SHEAR, L_BRING_IN_WHITE, 0, 0));
		}
		if (b) pixDestroy(&b);
	}
	if (pixWriteMem(&r->data, &r->size, g, IFF_SPIX) != 0) r->err = 3;
	pixDestroy(&g);
}

static TessBaseAPI *osd_new(void) {
	TessBaseAPI *api = TessBaseAPICreate();
	if (TessBaseAPIInit3(api, NULL, "osd") != 0) { TessBaseAPIDelete(api); return NULL; }
	TessBaseAPISetVariable(api, "debug_file", "/dev/null");
	return api;
}
*/
import "C"

import (
	"errors"
	"math"
	"unsafe"

	"sohoa"
)

// Cleaning steps, each measured by tools/benchocr (make bench-ocr).
const (
	CleanOrient  = C.OPT_ORIENT  // turn a page fed in sideways or upside down upright (Tesseract OSD)
	CleanDeskew  = C.OPT_DESKEW  // straighten small angles
	CleanUpscale = C.OPT_UPSCALE // pages under 200 dpi to 225
	CleanDenoise = C.OPT_DENOISE // 3×3 median where the paper is speckled
	CleanAll     = CleanOrient | CleanDeskew | CleanUpscale | CleanDenoise
)

// Transform is what cleaning did to a page before OCR, in that order:
// scale, then quarter turns clockwise, then a small rotation.
type Transform struct {
	Width, Height int // of the original
	Scale         float64
	Quads         int
	Skew          float64 // degrees
	Median        bool
	Noise         float64
	DPI           int
}

type osdHandle = *C.TessBaseAPI

func newOSD() osdHandle { return C.osd_new() }

func deleteOSD(h osdHandle) {
	if h != nil {
		C.TessBaseAPIEnd(h)
		C.TessBaseAPIDelete(h)
	}
}

// clean returns the cleaned image (Leptonica's SPIX serialization, cheap to
// read back) and what was done to it.
func clean(img []byte, osd osdHandle, opts int) ([]byte, *Transform, error) {
	if len(img) == 0 {
		return nil, nil, ErrUnreadable
	}
	var r C.clean_result
	C.clean_page((*C.uchar)(unsafe.Pointer(&img[0])), C.size_t(len(img)), osd, C.int(opts), &r)
	if r.data != nil {
		defer C.lept_free(unsafe.Pointer(r.data))
	}
	if r.err != 0 {
		if r.err == 1 {
			return nil, nil, ErrUnreadable
		}
		return nil, nil, errors.New("clean page: leptonica failed")
	}
	out := C.GoBytes(unsafe.Pointer(r.data), C.int(r.size))
	return out, &Transform{Width: int(r.width), Height: int(r.height), Scale: float64(r.scale), Quads: int(r.quads),
		Skew: float64(r.skew), Median: r.median != 0, Noise: float64(r.noise), DPI: int(r.xres)}, nil
}

// Unmap takes a word box found on the cleaned image back to the original
// image's pixels: the boxes of a page always refer to the image kept.
func (t *Transform) Unmap(w *sohoa.Word) {
	sw, sh := float64(t.Width)*t.Scale, float64(t.Height)*t.Scale // after scaling
	rw, rh := sw, sh                                              // after quarter turns
	if t.Quads%2 == 1 {
		rw, rh = sh, sw
	}
	corners := [4][2]float64{{float64(w.X0), float64(w.Y0)}, {float64(w.X1), float64(w.Y0)}, {float64(w.X0), float64(w.Y1)}, {float64(w.X1), float64(w.Y1)}}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range corners {
		x, y := c[0], c[1]
		if t.Skew != 0 { // undo the small rotation about the centre
			a := -t.Skew * math.Pi / 180
			cx, cy := rw/2, rh/2
			dx, dy := x-cx, y-cy
			x, y = cx+dx*math.Cos(a)-dy*math.Sin(a), cy+dx*math.Sin(a)+dy*math.Cos(a)
		}
		// undo quarter turns clockwise: one turn maps (x, y) of a W×H
		// image to (H-y, x); back is (y, H-x) with H the height before.
		for q := 0; q < t.Quads%4; q++ {
			// the image before this turn was rh×rw (turned back)
			x, y = y, rw-x
			rw, rh = rh, rw
		}
		rw, rh = sw, sh
		if t.Quads%2 == 1 {
			rw, rh = sh, sw
		}
		x, y = x/t.Scale, y/t.Scale
		x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
	}
	clamp := func(v float64, max int) int { return int(math.Max(0, math.Min(float64(max), math.Round(v)))) }
	w.X0, w.Y0, w.X1, w.Y1 = clamp(x0, t.Width), clamp(y0, t.Height), clamp(x1, t.Width), clamp(y1, t.Height)
}
