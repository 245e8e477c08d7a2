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
	int dpi;             // the page's resolution (given), then the cleaned image's; 0 when unknown
	float scale;         // upscaling applied first
	int quads;           // then quarter turns clockwise
	float skew;          // then a rotation by this many degrees
	int median;          // whether the 3x3 median ran
	int sealed;          // pixels of a seal's rings whitened
	int evened;          // whether the paper was evened out
	int blank;           // whether the page holds nothing to read
	int err;
} clean_result;

enum { OPT_ORIENT = 1, OPT_DESKEW = 2, OPT_UPSCALE = 4, OPT_DENOISE = 8, OPT_SEAL = 16, OPT_CONTRAST = 32, OPT_EVEN = 64, OPT_BLANK = 128 };

static PIX *swap(PIX *old, PIX *fresh) {
	if (fresh == NULL) return old;
	if (fresh != old) pixDestroy(&old);
	return fresh;
}

// otsu returns the threshold in [lo, hi) that best splits the histogram's
// values there into two classes (Otsu's between-class variance).
static int otsu(const l_float32 *h, int lo, int hi) {
	double n = 0, sum = 0;
	for (int v = lo; v < hi; v++) { n += h[v]; sum += v * (double)h[v]; }
	double n0 = 0, sum0 = 0, best = -1;
	int t = lo;
	for (int v = lo; v < hi - 1; v++) {
		n0 += h[v]; sum0 += v * (double)h[v];
		double n1 = n - n0;
		if (n0 == 0 || n1 == 0) continue;
		double d = sum0 / n0 - (sum - sum0) / n1;
		double between = n0 * n1 * d * d;
		if (between > best) { best = between; t = v + 1; }
	}
	return t;
}

#define SORT2(a, b) do { int lo_ = a < b ? a : b; b = a < b ? b : a; a = lo_; } while (0)

// median3 is a 3×3 median filter of an 8-bit image (edges copied), eight
// times faster than Leptonica's rank filter on an A4 page: each column of
// three is sorted once, and the median of nine is the median of the
// largest of the columns' minima, the median of their medians and the
// smallest of their maxima.
static PIX *median3(PIX *g) {
	int w = pixGetWidth(g), h = pixGetHeight(g);
	PIX *d = pixCopy(NULL, g);
	if (!d || w < 3 || h < 3) return d;
	l_uint32 *sd = pixGetData(g), *dd = pixGetData(d);
	int ws = pixGetWpl(g), wd = pixGetWpl(d);
	int *lo = malloc(w * sizeof(int)), *mid = malloc(w * sizeof(int)), *hi = malloc(w * sizeof(int));
	if (!lo || !mid || !hi) { free(lo); free(mid); free(hi); return d; }
	for (int y = 1; y < h - 1; y++) {
		l_uint32 *a = sd + (y - 1) * ws, *b = sd + y * ws, *c = sd + (y + 1) * ws;
		for (int x = 0; x < w; x++) {
			int p = GET_DATA_BYTE(a, x), q = GET_DATA_BYTE(b, x), r = GET_DATA_BYTE(c, x);
			SORT2(p, q); SORT2(q, r); SORT2(p, q);
			lo[x] = p; mid[x] = q; hi[x] = r;
		}
		l_uint32 *out = dd + y * wd;
		for (int x = 1; x < w - 1; x++) {
			int l0 = lo[x - 1], l1 = lo[x], l2 = lo[x + 1];
			int maxlo = l0 > l1 ? l0 : l1; maxlo = maxlo > l2 ? maxlo : l2;
			int h0 = hi[x - 1], h1 = hi[x], h2 = hi[x + 1];
			int minhi = h0 < h1 ? h0 : h1; minhi = minhi < h2 ? minhi : h2;
			int m0 = mid[x - 1], m1 = mid[x], m2 = mid[x + 1];
			SORT2(m0, m1); SORT2(m1, m2); SORT2(m0, m1);
			int u = maxlo, v = m1, z = minhi;
			SORT2(u, v); SORT2(v, z); SORT2(u, v);
			SET_DATA_BYTE(out, x, v);
		}
	}
	free(lo); free(mid); free(hi);
	return d;
}

// specks counts the dots of at most 3×3 pixels that thresholding an 8-bit
// image at t leaves in an 800×800 window at its centre: none on a clean
// scan or a JPEG with fine grain, thousands on a photocopy's speckled paper.
// (The letters' diacritics are larger than 3×3 at 200 dpi and above.)
static int specks(PIX *g, int t) {
	int w = pixGetWidth(g), h = pixGetHeight(g);
	int cw = w < 800 ? w : 800, ch = h < 800 ? h : 800;
	BOX *box = boxCreate((w - cw) / 2, (h - ch) / 2, cw, ch);
	PIX *c = pixClipRectangle(g, box, NULL);
	boxDestroy(&box);
	PIX *b = c ? pixThresholdToBinary(c, t) : NULL;
	PIX *dots = b ? pixSelectBySize(b, 3, 3, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE, NULL) : NULL;
	l_int32 n = 0;
	if (dots) pixCountConnComp(dots, 8, &n);
	pixDestroy(&dots);
	pixDestroy(&b);
	pixDestroy(&c);
	return n;
}

// rank returns the value below which the share q of the histogram's
// values in [lo, hi) lie.
static int rank(const l_float32 *h, int lo, int hi, double q) {
	double n = 0, acc = 0;
	for (int v = lo; v < hi; v++) n += h[v];
	for (int v = lo; v < hi; v++) if ((acc += h[v]) >= n * q) return v;
	return lo;
}

// levels are an 8-bit page's grey levels: the threshold between ink and
// paper (Otsu), the letters' dark core (the darkest fifth of the ink), the
// paper's darkest tenth and its median.
typedef struct { int ink, core, paper_dark, paper; } levels;

static int page_levels(PIX *g, levels *lv) {
	NUMA *na = pixGetGrayHistogram(g, 2);
	if (!na) return 0;
	l_float32 *h = numaGetFArray(na, L_NOCOPY);
	lv->ink = otsu(h, 0, 256);
	lv->core = rank(h, 0, lv->ink, 0.2);
	lv->paper_dark = rank(h, lv->ink, 256, 0.1);
	lv->paper = rank(h, lv->ink, 256, 0.5);
	numaDestroy(&na);
	return 1;
}

// shading is how far the paper's grey varies over a page: the lightest
// and darkest of the paper levels (each the 90th percentile) of a 4×6 grid
// of cells, at a tenth of the size. A scan is even (0-10); a phone photo
// under a lamp or a page bent off the glass is not.
static int shading(PIX *g) {
	if (pixGetWidth(g) < 400 || pixGetHeight(g) < 400) return 0; // not a page
	PIX *small = pixScaleAreaMap(g, 0.1, 0.1);
	if (!small) return 0;
	int w = pixGetWidth(small), h = pixGetHeight(small), wpl = pixGetWpl(small);
	l_uint32 *data = pixGetData(small);
	int lo = 255, hi = 0;
	for (int cy = 0; cy < 6; cy++)
		for (int cx = 0; cx < 4; cx++) {
			int hist[256] = {0}, n = 0;
			for (int y = cy * h / 6; y < (cy + 1) * h / 6; y++)
				for (int x = cx * w / 4; x < (cx + 1) * w / 4; x++, n++)
					hist[GET_DATA_BYTE(data + y * wpl, x)]++;
			if (n == 0) continue;
			int acc = 0, v = 0;
			while (v < 255 && (acc += hist[v]) < n * 9 / 10) v++;
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	pixDestroy(&small);
	return hi > lo ? hi - lo : 0;
}

// blank reports whether a page holds nothing to read: fewer than five
// blots of dark ink (under 128) the size of a letter, a thirtieth of an
// inch to half an inch tall and no wider than half an inch. The blank back
// of a sheet scanned on both sides has none, or a punch hole or two; dust
// is smaller, the shadow of the scanner's edge longer, and one line of
// text has dozens.
static int blank(PIX *g, int dpi) {
	if (dpi <= 0) dpi = 300;
	PIX *ink = pixThresholdToBinary(g, 128);
	if (!ink) return 0;
	BOXA *boxes = pixConnCompBB(ink, 8);
	pixDestroy(&ink);
	if (!boxes) return 0;
	int letters = 0;
	for (int i = 0; i < boxaGetCount(boxes) && letters < 5; i++) {
		l_int32 x, y, w, h;
		boxaGetBoxGeometry(boxes, i, &x, &y, &w, &h);
		if (h >= dpi / 30 && h <= dpi / 2 && w <= dpi / 2) letters++;
	}
	boxaDestroy(&boxes);
	return letters < 5;
}

// normalize stretches an 8-bit image's levels so that the letters' dark
// core is black and the paper white: a faded photocopy (grey letters on
// grey paper) then looks like a scan of the original, and the seal step
// can tell a seal's grey from the letters'. Ink is split from paper by
// Otsu; the core is the darkest fifth of the ink, the paper level the
// darkest tenth of the paper (lighter grain turns white). Returns whether
// the levels changed.
static int normalize(PIX *g) {
	levels lv;
	if (!page_levels(g, &lv)) return 0;
	// Ink no darker than 160 is not letters (the other side showing through).
	if ((lv.core < 8 && lv.paper_dark > 247) || lv.paper_dark - lv.core < 40 || lv.core > 160) return 0;
	return pixGammaTRC(g, g, 1.0, lv.core, lv.paper_dark) != NULL;
}

// unseal whitens a seal: a red seal scanned in grey, or a grey stamp, over
// the signer's name and the last lines of a decision, which Tesseract
// binarizes into black rings across the letters. Ink is split from paper
// (Otsu) and the letters' dark core level taken (the darkest fifth of the
// ink). In each blot of ink a quarter inch or more across, the strokes k
// pixels thick or more (a seal's ring; letters and a table's rules are
// thinner) are the seal when they make up a quarter of the blot and their
// median grey is lighter than the core by 50 or more (a black frame is
// not a seal). There every pixel lighter than halfway between the seal's
// grey and the core is set to paper, and then the dark mottles left in the
// ring; letters under the seal stay. Returns the pixels whitened. On the
// sample pages (a seal over "Đào tạo và có" and "GIÁM ĐỐC") mean CER went
// from 4.1% to 0.5%.
static int unseal(PIX *g, int dpi) {
	levels lv;
	if (!page_levels(g, &lv)) return 0;
	int t = lv.ink, core = lv.core, paper = lv.paper;
	if (t - core < 40) return 0;
	if (dpi <= 0) dpi = 300;
	int span = dpi / 4, k = (5 * dpi + 150) / 300;
	PIX *ink = pixThresholdToBinary(g, t);
	PIXA *blots = NULL;
	BOXA *boxes = ink ? pixConnComp(ink, &blots, 8) : NULL;
	PIX *seal = ink ? pixCreateTemplate(ink) : NULL;
	double sum = 0, cnt = 0;
	for (int i = 0; seal && blots && i < pixaGetCount(blots); i++) {
		l_int32 x, y, w, hh, all = 0, thick = 0;
		boxaGetBoxGeometry(boxes, i, &x, &y, &w, &hh);
		if (w < span && hh < span) continue;
		PIX *m = pixaGetPix(blots, i, L_CLONE);
		PIX *ring = pixOpenBrick(NULL, m, k, k);
		pixCountPixels(m, &all, NULL);
		if (ring) pixCountPixels(ring, &thick, NULL);
		l_float32 level = 0;
		if (thick * 4 >= all && thick > 0 && pixGetRankValueMasked(g, ring, x, y, 1, 0.5, &level, NULL) == 0 && level - core >= 50) {
			pixRasterop(seal, x, y, w, hh, PIX_SRC | PIX_DST, ring, 0, 0);
			sum += (double)level * thick;
			cnt += thick;
		}
		pixDestroy(&ring);
		pixDestroy(&m);
	}
	l_int32 n = 0;
	if (cnt > 0) {
		int cut = (core + (int)(sum / cnt)) / 2;
		pixDilateBrick(seal, seal, k, k); // and the ring's soft edge
		PIX *dark = pixThresholdToBinary(g, cut + 1);
		if (dark) {
			pixSubtract(seal, seal, dark);
			pixCountPixels(seal, &n, NULL);
			pixSetMasked(g, seal, paper);
			// Mottles: dark specks left within the ring.
			pixDilateBrick(seal, seal, k, k);
			PIX *left = pixThresholdToBinary(g, cut + 1);
			if (left) {
				pixAnd(left, left, seal);
				PIX *dots = pixSelectBySize(left, k, k, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE, NULL);
				if (dots) pixSetMasked(g, dots, paper);
				pixDestroy(&dots);
			}
			pixDestroy(&left);
		}
		pixDestroy(&dark);
	}
	pixDestroy(&seal);
	boxaDestroy(&boxes);
	pixaDestroy(&blots);
	pixDestroy(&ink);
	return n;
}

static void clean_page(const unsigned char *data, size_t size, int dpi, TessBaseAPI *osd, int opts, clean_result *r) {
	memset(r, 0, sizeof *r);
	r->scale = 1;
	PIX *pix = pixReadMem(data, size);
	if (!pix) { r->err = 1; return; }
	r->width = pixGetWidth(pix);
	r->height = pixGetHeight(pix);
	r->dpi = dpi;
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
	// Pages under 200 dpi are brought to 200: on the 150 dpi sample and
	// held-out pages as accurate as 225 (0.6% and 0.9% against 0.5% and
	// 1.0%) and 0.03 s faster; 225 was as accurate as 300 and 30% faster.
	if ((opts & OPT_UPSCALE) && r->dpi > 0 && r->dpi < 200) {
		r->scale = 200.0f / r->dpi;
		g = swap(g, pixScaleGrayLI(g, r->scale, r->scale));
		r->dpi = 200;
	}
	if ((opts & OPT_EVEN) && shading(g) > 30) {
		// The paper brought to white tile by tile (Leptonica's defaults:
		// 10×15 tiles, ink under 100 left out). Only where the paper is
		// uneven: on the even samples it cost the photocopies 0.2 points;
		// a lamp's shadow (white to 45% grey) went from 10.6% to 0.5%.
		PIX *n = pixBackgroundNorm(g, NULL, NULL, 10, 15, 100, 50, 255, 2, 1);
		if (n) {
			g = swap(g, n);
			r->evened = 1;
		}
	}
	if (opts & OPT_DENOISE) {
		// A 3x3 median takes speckled photocopies from 6.8% CER to 1.9%
		// (with the other steps; 30% with none), but it costs on other
		// pages (a grainy JPEG: 1.3% to 1.9%): only where thresholding
		// would leave specks on the paper. At the page's Otsu threshold:
		// clean, low resolution and grainy JPEG pages 0-7 specks,
		// photocopies 1,300+.
		levels lv = {.ink = 128};
		page_levels(g, &lv);
		if (specks(g, lv.ink) > 200) {
			g = swap(g, median3(g));
			r->median = 1;
		}
	}
	if ((opts & OPT_BLANK) && (r->blank = blank(g, r->dpi))) {
		pixDestroy(&g);
		return; // nothing to read: no image handed back
	}
	if (opts & OPT_CONTRAST)
		normalize(g);
	if (opts & OPT_SEAL)
		r->sealed = unseal(g, r->dpi);
	if (opts & OPT_ORIENT && osd) {
		// Orientation needs no more than ~100 dpi: a ninth of the pixels
		// (0.15 s on an A4 page against 0.19 s at half size; at a quarter
		// size three of five sideways pages came out wrong). When that is
		// not sure enough, look again at half size: two of five pages
		// upside down were told at 1.2 and 1.8 from a third, 12.7 and 9.1
		// from a half.
		const float scales[] = {0.33f, 0.5f};
		for (int i = 0; i < 2; i++) {
			int deg = 0;
			float conf = 0, sconf = 0;
			const char *script = NULL;
			PIX *small = pixGetWidth(g) > 1800 ? pixScaleAreaMap(g, scales[i], scales[i]) : pixClone(g);
			TessBaseAPISetImage2(osd, small);
			int ok = TessBaseAPIDetectOrientationScript(osd, &deg, &conf, &script, &sconf);
			// script points into the model (Tesseract 5): not ours to free.
			TessBaseAPIClear(osd);
			pixDestroy(&small);
			if (ok && conf > 2.0) {
				if (deg != 0) {
					// deg is how far the page is turned counter-clockwise: turn it back.
					r->quads = ((360 - deg) / 90) % 4;
					g = swap(g, pixRotateOrth(g, r->quads));
				}
				break;
			}
			if (pixGetWidth(g) <= 1800) break;
		}
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
	// Leptonica's messages would land in the logs unstructured; every
	// call's result is checked instead.
	setMsgSeverity(L_SEVERITY_NONE);
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
	CleanOrient   = C.OPT_ORIENT   // turn a page fed in sideways or upside down upright (Tesseract OSD)
	CleanDeskew   = C.OPT_DESKEW   // straighten small angles
	CleanUpscale  = C.OPT_UPSCALE  // pages under 200 dpi to 200
	CleanDenoise  = C.OPT_DENOISE  // 3×3 median where the paper is speckled
	CleanSeal     = C.OPT_SEAL     // whiten a seal's mid-grey rings over the text
	CleanContrast = C.OPT_CONTRAST // letters black and paper white
	CleanEven     = C.OPT_EVEN     // even out the paper's grey where a shadow lies on it
	CleanBlank    = C.OPT_BLANK    // find blank pages, which are not read
	CleanAll      = CleanOrient | CleanDeskew | CleanUpscale | CleanDenoise | CleanSeal | CleanContrast | CleanEven | CleanBlank
)

// Transform is what cleaning did to a page before OCR, in that order:
// scale, then quarter turns clockwise, then a small rotation.
type Transform struct {
	Width, Height int // of the original
	Scale         float64
	Quads         int
	Skew          float64 // degrees
	Median        bool
	Sealed        bool
	Evened        bool
	Blank         bool // nothing to read: no image comes back
	DPI           int  // of the cleaned image, as told to Tesseract; 0 when unknown
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
// read back) and what was done to it; dpi is the page's resolution
// (scan.Frame.PageDPI), 0 when unknown.
func clean(img []byte, dpi int, osd osdHandle, opts int) ([]byte, *Transform, error) {
	if len(img) == 0 {
		return nil, nil, ErrUnreadable
	}
	var r C.clean_result
	C.clean_page((*C.uchar)(unsafe.Pointer(&img[0])), C.size_t(len(img)), C.int(dpi), osd, C.int(opts), &r)
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
		Skew: float64(r.skew), Median: r.median != 0, Sealed: r.sealed > 0, Evened: r.evened != 0, Blank: r.blank != 0, DPI: int(r.dpi)}, nil
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
