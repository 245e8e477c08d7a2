package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"sohoa"
	"sohoa/catalog"
	"sohoa/search"
)

// BenchmarkWebPages measures the page as an official meets it at 10,000
// documents: server time per page (p50, p99) against the JSON API
// answering the same question in the same run, bytes sent on a first and
// a repeat visit, and the time to a usable search page on a slow link
// (1.6 Mbps, 150 ms) against a bare request on that link.
func BenchmarkWebPages(b *testing.B) {
	const docs = 10000
	data := filepath.Join(b.TempDir(), "data")
	s := startServer(b, data)
	s.newUnit("PGD", "SGD", "phong")
	s.newUnit("THA", "PGD", "truong")
	s.newUnit("THB", "PGD", "truong")
	token := s.newUser("cb.pgd", "PGD", "official")
	r := s.upload(adminToken, part{field: "title", data: []byte("Bằng tốt nghiệp Lê Quang Tuấn")}, part{field: "unit_id", data: []byte("THA")},
		part{"file", "d3-bang-tuan.png", fixture(b, "pages/d3-bang-tuan.png")})
	var real document
	r.json(b, &real)
	if d := s.waitDone(real.ID); d.Status != "ready" {
		b.Fatalf("the real scan: %s %s", d.Status, d.Error)
	}
	s.stop()
	seedDocuments(b, data, docs)
	s = startServer(b, data)
	web := webClient(b, s, "cb.pgd")

	type page struct{ name, web, api string }
	pages := []page{
		{"home", "/", "/api/v1/me"},
		{"list", "/ho-so", "/api/v1/documents"},
		{"list-filtered", "/ho-so?loai=van_bang&nam=2022&sap-xep=title", "/api/v1/documents?type=van_bang&year=2022&sort=title"},
		{"search", "/tim-kiem?q=nguyen+van+an", "/api/v1/search?q=nguyen+van+an"},
		{"search-id", "/tim-kiem?q=412%2FQ%C4%90-SGD%C4%90T", "/api/v1/search?q=412%2FQ%C4%90-SGD%C4%90T"},
		{"record", "/ho-so/" + real.ID, "/api/v1/documents/" + real.ID},
		{"upload", "/tai-len", "/api/v1/units"},
	}
	api := func(path string) (int, int64) {
		req, _ := http.NewRequest("GET", s.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return fetch(b, http.DefaultClient, req)
	}
	page1 := func(path string) (int, int64) {
		req, _ := http.NewRequest("GET", s.base+path, nil)
		return fetch(b, web, req)
	}
	for _, q := range []string{"nguyen+van+an", "412%2FQ%C4%90-SGD%C4%90T"} {
		var res struct{ Total int }
		r := s.do("GET", "/api/v1/search?q="+q, token, nil, "")
		r.json(b, &res)
		b.Logf("search %s: %d hits among %d documents", q, res.Total, docs+1)
	}
	_, img := page1("/ho-so/" + real.ID + "/trang/1/anh")
	b.Logf("the record page's scan: %d B, once (cached for good after)", img)
	const n = 200
	b.ResetTimer()
	for range b.N {
		for _, p := range pages {
			webTimes, webBytes := times(b, n, func() (int, int64) { return page1(p.web) })
			apiTimes, _ := times(b, n, func() (int, int64) { return api(p.api) })
			first, repeat := visitBytes(b, web, s.base, p.web)
			b.Logf("%-14s web p50 %5.1f ms p99 %5.1f ms | API p50 %5.1f ms p99 %5.1f ms | web/API p50 %.2f× p99 %.2f× | HTML %d B, first visit %d B, repeat %d B",
				p.name, ms(webTimes[n/2]), ms(webTimes[n*99/100]), ms(apiTimes[n/2]), ms(apiTimes[n*99/100]),
				float64(webTimes[n/2])/float64(apiTimes[n/2]), float64(webTimes[n*99/100])/float64(apiTimes[n*99/100]), webBytes, first, repeat)
			b.ReportMetric(ms(webTimes[n*99/100]), p.name+"-p99-ms")
			b.ReportMetric(float64(first)/1024, p.name+"-first-KB")
		}
		slowLink(b, s, "cb.pgd")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fetch does req and returns its status and the bytes on the wire.
func fetch(b *testing.B, c *http.Client, req *http.Request) (int, int64) {
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", req.URL, resp.StatusCode)
	}
	return resp.StatusCode, n
}

// times runs do n times, sorted durations and the last answer's bytes.
func times(b *testing.B, n int, do func() (int, int64)) ([]time.Duration, int64) {
	out := make([]time.Duration, n)
	var bytes int64
	for i := range out {
		start := time.Now()
		_, bytes = do()
		out[i] = time.Since(start)
	}
	slices.Sort(out)
	return out, bytes
}

var assetRE = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// visitBytes is what a browser fetches for path: on a first visit the page
// and every asset it names, on a repeat visit the page alone (assets are
// immutable, named by their digest).
func visitBytes(b *testing.B, c *http.Client, base, path string) (first, repeat int64) {
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	first = int64(len(html))
	for _, m := range assetRE.FindAllStringSubmatch(string(html), -1) {
		r, _ := http.NewRequest("GET", base+m[1], nil)
		_, n := fetch(b, c, r)
		first += n
	}
	return first, int64(len(html))
}

// webClient is a browser's cookie jar signed in as username.
func webClient(b *testing.B, s *server, username string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(s.base + "/dang-nhap")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if m == nil {
		b.Fatalf("no CSRF token on the login page")
	}
	resp, err = c.PostForm(s.base+"/dang-nhap", url.Values{"csrf": {m[1]}, "username": {username}, "password": {"mật khẩu thử nghiệm"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/" {
		b.Fatalf("login ended at %s", resp.Request.URL)
	}
	return c
}

// slowLink times a search page, first and repeat visit, on a throttled
// link, from the request to the hits shown and the page's scripts run,
// against a bare request on the same link.
func slowLink(b *testing.B, s *server, username string) {
	bt := newBrowserTest(b, s)
	p := bt.person("official on a slow link")
	p.login(username, "mật khẩu thử nghiệm")
	throttle := func(on bool) {
		cond := &network.Conditions{Latency: 150, DownloadThroughput: 1.6e6 / 8, UploadThroughput: 0.75e6 / 8}
		if !on {
			cond = &network.Conditions{DownloadThroughput: -1, UploadThroughput: -1}
		}
		_, err := chromedp.Run(p.ctx, chromedp.Action[chromedp.Void](func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
				return chromedp.Void{}, err
			}
			if _, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{}); err != nil && on {
				return chromedp.Void{}, err
			}
			_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{cond}})
			return chromedp.Void{}, err
		}))
		if err != nil {
			b.Fatalf("throttle: %v", err)
		}
	}
	visit := func(path, ready string) time.Duration {
		start := time.Now()
		p.do("visit "+path, chromedp.Navigate(s.base+path), chromedp.WaitVisible(chromedp.CSS(ready)))
		if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`document.readyState === "complete"`)); err != nil {
			b.Fatalf("%s never completes: %v", path, err)
		}
		return time.Since(start)
	}
	throttle(true)
	bare := visit("/healthz", "body")
	first := visit("/tim-kiem?q=nguyen+van+an", ".hits li a")
	repeat := visit("/tim-kiem?q=le+quang+tuan", ".hits li a")
	throttle(false)
	b.Logf("slow link (1.6 Mbps, 150 ms): bare request %.0f ms; search page usable in %.0f ms on a first visit (%.1f×), %.0f ms on a repeat visit (%.1f×)",
		ms(bare), ms(first), float64(first)/float64(bare), ms(repeat), float64(repeat)/float64(bare))
	b.ReportMetric(ms(bare), "slow-bare-ms")
	b.ReportMetric(ms(first), "slow-search-first-ms")
	b.ReportMetric(ms(repeat), "slow-search-repeat-ms")
}

// seedDocuments puts n ready documents straight into the catalog and the
// index of a stopped service: diplomas and decisions of three units, with
// names drawn from the common Vietnamese ones, so that "nguyen van an"
// matches many.
func seedDocuments(b *testing.B, data string, n int) {
	ctx := context.Background()
	db, err := catalog.Open(filepath.Join(data, "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	idx, err := search.Open(filepath.Join(data, "index"))
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	rng := rand.New(rand.NewPCG(10, 10000))
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middle := []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"}
	given := []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"}
	units := []struct{ id, path string }{{"THA", "/SGD/PGD/THA/"}, {"THB", "/SGD/PGD/THB/"}, {"PGD", "/SGD/PGD/"}}
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	var batch []*sohoa.IndexDocument
	for i := range n {
		name := family[rng.IntN(len(family))] + " " + middle[rng.IntN(len(middle))] + " " + given[rng.IntN(len(given))]
		u := units[rng.IntN(len(units))]
		at := t0.Add(time.Duration(i) * 17 * time.Minute)
		year := 2015 + rng.IntN(10)
		d := &sohoa.Document{ID: sohoa.NewID(at), Status: sohoa.StatusReady, CreatedAt: at, UpdatedAt: at, UnitID: u.id, UnitPath: u.path,
			CreatedBy: "vt." + strings.ToLower(u.id), Revision: 1}
		var text string
		if i%3 == 0 {
			d.Type, d.Title = sohoa.TypeVanBan, fmt.Sprintf("Quyết định %d/QĐ-SGDĐT", 100+i)
			d.Metadata = sohoa.Metadata{"so": fmt.Sprint(100 + i), "ky_hieu": "QĐ-SGDĐT", "ngay_ban_hanh": fmt.Sprintf("%d-%02d-%02d", year, 1+rng.IntN(12), 1+rng.IntN(28)),
				"co_quan_ban_hanh": "Sở Giáo dục và Đào tạo", "trich_yeu": "Về việc công nhận kết quả"}
			text = fmt.Sprintf("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nQUYẾT ĐỊNH\nSố: %d/QĐ-SGDĐT\nVề việc công nhận kết quả thi của ông (bà) %s\nGIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO", 100+i, name)
		} else {
			d.Type, d.Title = sohoa.TypeVanBang, "Bằng tốt nghiệp "+name
			d.Metadata = sohoa.Metadata{"ho_ten": name, "nam_tot_nghiep": fmt.Sprint(year), "so_vao_so": fmt.Sprintf("%d/THPT/%d", i, year), "truong": "Trường THPT " + u.id}
			text = fmt.Sprintf("BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG\ncấp bằng tốt nghiệp trung học phổ thông cho:\nHọ và tên: %s\nĐã tốt nghiệp trung học phổ thông năm %d.\nSố vào sổ cấp bằng: %d/THPT/%d", name, year, i, year)
		}
		d.Pages = []sohoa.Page{{Number: 1, ContentType: "image/png", Width: 2480, Height: 3508, DPI: 300}}
		if err := db.PutDocument(ctx, d, false); err != nil {
			b.Fatal(err)
		}
		batch = append(batch, &sohoa.IndexDocument{ID: d.ID, Title: d.Title, Pages: []string{text}, Type: d.Type, UnitID: d.UnitID, UnitPath: d.UnitPath, Metadata: d.Metadata})
		if len(batch) == 500 || i == n-1 {
			if err := idx.PutBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
