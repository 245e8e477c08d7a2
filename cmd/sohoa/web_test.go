package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"sohoa"
	"sohoa/internal/samples"
	"sohoa/vntext"
)

// browserTest drives Debian's Chromium, headless, against a running sohoa.
type browserTest struct {
	t      testing.TB
	s      *server
	alloc  context.Context
	axe    string // axe-core's script, to check every page
	shots  string // where screenshots go (not in the checkout)
	pages  map[string]bool
	checks []string
}

func newBrowserTest(t testing.TB, s *server) *browserTest {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SOHOA_REQUIRE_BROWSER") == "1" {
			t.Fatal("no chromium: run scripts/browser.sh (make test does)")
		}
		t.Skip("no chromium (scripts/browser.sh installs it; make test does)")
	}
	axePath := os.Getenv("SOHOA_AXE")
	axe, err := os.ReadFile(axePath)
	if err != nil && os.Getenv("SOHOA_REQUIRE_BROWSER") == "1" {
		t.Fatalf("no axe-core at SOHOA_AXE=%q: run scripts/browser.sh", axePath)
	}
	shots := os.Getenv("SOHOA_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "sohoa-screenshots")
	}
	shots = filepath.Join(shots, time.Now().Format("20060102-150405"))
	os.MkdirAll(shots, 0o755)
	t.Logf("screenshots in %s", shots)
	// The flags a closed network needs (no background connections, no
	// component updates), and a profile of its own.
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "vi-VN"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768))
	t.Cleanup(cancel)
	root, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(root); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return &browserTest{t: t, s: s, alloc: root, axe: string(axe), shots: shots, pages: map[string]bool{}}
}

// person is one signed-in user's browser: a context of its own, cookies
// and all.
type person struct {
	b   *browserTest
	ctx context.Context
	who string
}

func (b *browserTest) person(who string) *person {
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 10*time.Minute)
	b.t.Cleanup(cancel)
	// The tab lives as long as the context of its first call: this one,
	// not a step's.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: open a tab: %v", who, err)
	}
	return &person{b: b, ctx: ctx, who: who}
}

func (p *person) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.b.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute) // a step, not the test: time left to see why
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		shot, _ := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		name := filepath.Join(p.b.shots, "failed-"+strings.ReplaceAll(what, " ", "-")+".png")
		os.WriteFile(name, shot, 0o644)
		p.b.t.Fatalf("%s, %s: %v (screenshot %s)", p.who, what, err, name)
	}
}

func (p *person) text(sel string) string {
	p.b.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.b.t.Fatalf("%s: text of %s: %v", p.who, sel, err)
	}
	return s
}

// waitText waits until the element sel holds text: a page that answered
// a form, not the one before it.
func (p *person) waitText(sel, text string) {
	p.b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : ""; })()`, sel)
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js)); err == nil && strings.Contains(got, text) {
			return
		}
	}
	p.b.t.Fatalf("%s: %s does not say %q: %q", p.who, sel, text, p.eval(js))
}

func (p *person) eval(js string) string {
	p.b.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.b.t.Fatalf("%s: %s: %v", p.who, js, err)
	}
	return s
}

// look takes the page's screenshots, wide and narrow, and checks it with
// axe-core: no serious or critical violation.
func (p *person) look(name string) {
	p.b.t.Helper()
	for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
		p.do("screen "+name, chromedp.EmulateViewport(size[0], size[1]))
		shot, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			p.b.t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(p.b.shots, fmt.Sprintf("%s-%dx%d.png", name, size[0], size[1])), shot, 0o644)
		// Nothing is wider than the screen: a phone scrolls down, not
		// sideways (a wide table scrolls inside its own box).
		wide := p.eval(`(() => { if (document.documentElement.scrollWidth <= innerWidth) return "";
			return [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest(".table-wrap"))
				.slice(0, 5).map(e => e.tagName + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "") + " " + Math.round(e.getBoundingClientRect().right)).join(", ") || "?"; })()`)
		if wide != "" {
			p.b.t.Errorf("%s at %dx%d is wider than the screen: %s", name, size[0], size[1], wide)
		}
	}
	p.do("screen back", chromedp.EmulateViewport(1366, 768))
	p.b.pages[name] = true
	if p.b.axe == "" {
		return
	}
	p.do("load axe-core", chromedp.Evaluate[chromedp.Void](p.b.axe))
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.b.t.Fatalf("axe on %s: %v", name, err)
	}
	if out != "[]" {
		p.b.t.Errorf("axe-core on %s: serious or critical violations: %s", name, out)
	}
	p.b.checks = append(p.b.checks, name)
}

func (p *person) login(username, password string) {
	p.b.t.Helper()
	p.do("open the login page", chromedp.Navigate(p.b.s.base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")))
	p.do("log in", chromedp.SendKeys(chromedp.CSS("#username"), username), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".who")))
}

// tabTo presses Tab until the element focused makes is true (at most 60
// times), and checks that each one reached shows its focus.
func (p *person) tabTo(is string) {
	p.b.t.Helper()
	for range 60 {
		p.do("press Tab", chromedp.KeyEvent("\t"))
		focus := p.eval(`(() => {
			const e = document.activeElement;
			const shown = n => { const s = getComputedStyle(n); return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none"; };
			return e === document.body ? "body" : shown(e) || [...(e.labels || [])].some(shown) ? "shown" : e.outerHTML.slice(0, 80); })()`)
		if focus != "shown" && focus != "body" {
			p.b.t.Errorf("%s: the focus does not show on %s", p.who, focus)
		}
		if p.eval(`String(`+is+`)`) == "true" {
			return
		}
	}
	p.b.t.Fatalf("%s: 60 presses of Tab never reach %s", p.who, is)
}

// cookies are the person's, for a plain HTTP client acting as the same
// browser would (a form posted from elsewhere, say).
func (p *person) client() *http.Client {
	p.b.t.Helper()
	res, err := chromedp.Run(p.ctx, chromedp.Action[network.GetCookiesResult](func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{p.b.s.base}})
	}))
	if err != nil {
		p.b.t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(p.b.s.base)
	var cs []*http.Cookie
	for _, c := range res.Cookies {
		cs = append(cs, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	jar.SetCookies(u, cs)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestWebPage is issue 10's path in a real browser: a clerk uploads two
// scans, watches them read, corrects a field and is told in Vietnamese
// what is wrong with a date; an official of the parent unit finds the
// record without diacritics, opens it at the page, approves it and
// downloads the signed copy, which pdfsig accepts; a clerk of a sibling
// school finds nothing and gets 404 at its address; a form posted without
// its CSRF token is refused; repeated wrong passwords lock the account.
// Every page is looked at in two sizes and checked with axe-core.
func TestWebPage(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	b := newBrowserTest(t, s)
	s.newUnit("PGD", "SGD", "phong")
	s.newUnit("THA", "PGD", "truong")
	s.newUnit("THB", "PGD", "truong")
	for _, u := range [][3]string{{"vt.tha", "THA", "clerk"}, {"cb.pgd", "PGD", "official"}, {"vt.thb", "THB", "clerk"}, {"vt.khoa", "THB", "clerk"},
		{"quantri", "SGD", "admin"}} {
		s.newUser(u[0], u[1], u[2])
	}
	const password = "mật khẩu thử nghiệm"

	clerk := b.person("clerk of THA")
	clerk.do("open the site", chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")))
	clerk.look("login")
	clerk.login("vt.tha", password)
	clerk.look("home")

	// Two scans by the file input, one document each.
	scans := []string{filepath.Join("..", "..", "testdata", "pages", "d3-bang-tuan.png"), filepath.Join("..", "..", "testdata", "pages", "d4-bang-dung.png")}
	for i := range scans {
		scans[i], _ = filepath.Abs(scans[i])
	}
	clerk.do("open the upload page", chromedp.Navigate(s.base+"/tai-len"), chromedp.WaitVisible(chromedp.CSS("#file")))
	clerk.look("upload")
	if v := clerk.eval(`String(document.querySelector('fieldset[data-type="van_bang"]').hidden)`); v != "true" {
		t.Errorf("a type's fields are shown before the type is chosen (hidden=%s)", v)
	}
	clerk.do("upload two scans as diplomas of the school", chromedp.SetUploadFiles(chromedp.CSS("#file"), scans), chromedp.Click(chromedp.CSS("#each-1")),
		chromedp.SetValue(chromedp.CSS("#type"), "van_bang"), chromedp.Evaluate[chromedp.Void](`document.getElementById("type").dispatchEvent(new Event("change"))`),
		chromedp.WaitVisible(chromedp.CSS("#u-van_bang-truong")), chromedp.SendKeys(chromedp.CSS("#u-van_bang-truong"), "Trường THPT Hòa An"),
		chromedp.Click(chromedp.CSS(`#upload button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#rows li.row:nth-child(2)")))
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if clerk.eval(`String(document.querySelectorAll("#rows li.status-ready").length)`) == "2" {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if n := clerk.eval(`String(document.querySelectorAll("#rows li.status-ready").length)`); n != "2" {
		t.Fatalf("after 3 minutes %s of 2 uploads are shown ready:\n%s", n, clerk.eval(`document.getElementById("rows").innerText`))
	}
	clerk.look("upload-done")
	tuan := clerk.eval(`[...document.querySelectorAll("#rows li.row a")].find(a => a.textContent.includes("tuan")).getAttribute("href")`)
	if !strings.HasPrefix(tuan, "/ho-so/") {
		t.Fatalf("no row of d3-bang-tuan: %q", tuan)
	}
	id := strings.TrimPrefix(tuan, "/ho-so/")

	// A diploma's fields: a date that does not exist is told next to it.
	clerk.do("open the record", chromedp.Navigate(s.base+tuan), chromedp.WaitVisible(chromedp.CSS("#f-type")))
	if v := clerk.eval(`document.getElementById("f-truong").value`); v != "Trường THPT Hòa An" {
		t.Errorf("the school typed on the upload page shows as %q", v)
	}
	// What is printed is read off the page and fills the form, marked.
	for field, want := range map[string]string{"ho_ten": "Lê Quang Tuấn", "so_hieu": "B 0174420", "so_vao_so": "0415/THPT/2022", "ngay_sinh": "12/04/2004"} {
		if v := clerk.eval(`document.getElementById("f-` + field + `").value + " " + document.getElementById("f-` + field + `").parentElement.className`); v != want+" proposed" {
			t.Errorf("%s read off the page shows as %q, want %q, marked proposed", field, v, want)
		}
	}
	clerk.look("record-proposed")
	clerk.do("keep it a diploma, with what was read", chromedp.SetValue(chromedp.CSS("#f-type"), "van_bang"), chromedp.Click(chromedp.CSS(`.record-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")), chromedp.WaitVisible(chromedp.CSS("#f-ngay_sinh")))
	clerk.do("type a wrong date", chromedp.Clear(chromedp.CSS("#f-ngay_sinh")), chromedp.SendKeys(chromedp.CSS("#f-ngay_sinh"), "30/02/2004"),
		chromedp.Click(chromedp.CSS(`.record-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#e-ngay_sinh")))
	if msg := clerk.text("#e-ngay_sinh"); !strings.Contains(msg, "30/02/2004 không tồn tại") {
		t.Errorf("the message next to the date: %q", msg)
	}
	if v := clerk.eval(`document.getElementById("f-ho_ten").value`); v != "Lê Quang Tuấn" {
		t.Errorf("a refused form lost what was typed: ho_ten %q", v)
	}
	clerk.look("record-invalid")
	clerk.do("correct the date", chromedp.Clear(chromedp.CSS("#f-ngay_sinh")), chromedp.SendKeys(chromedp.CSS("#f-ngay_sinh"), "12/04/2004"),
		chromedp.Click(chromedp.CSS(`.record-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if v := clerk.eval(`document.getElementById("f-ngay_sinh").value`); v != "12/04/2004" {
		t.Errorf("the date saved shows as %q", v)
	}

	// The list of the school's diplomas, by title; both get their exam
	// board and year at once.
	clerk.do("list the diplomas", chromedp.Navigate(s.base+"/ho-so?loai=van_bang&sap-xep=title"), chromedp.WaitVisible(chromedp.CSS("#sua-nhieu")))
	titles := clerk.eval(`[...document.querySelectorAll("#sua-nhieu tbody tr td:nth-child(2) a")].map(a => a.textContent).join("|")`)
	if titles != "d3-bang-tuan|d4-bang-dung" {
		t.Errorf("the diplomas by title: %q", titles)
	}
	clerk.do("set the exam board and the year of both", chromedp.Click(chromedp.CSS(`#sua-nhieu tbody tr:nth-child(1) input[type="checkbox"]`)),
		chromedp.Click(chromedp.CSS(`#sua-nhieu tbody tr:nth-child(2) input[type="checkbox"]`)),
		chromedp.SetValue(chromedp.CSS("#field-1"), "hoi_dong_thi"), chromedp.SendKeys(chromedp.CSS("#value-1"), "Hội đồng thi Trường THPT Hòa An"),
		chromedp.SetValue(chromedp.CSS("#field-2"), "nam_tot_nghiep"), chromedp.SendKeys(chromedp.CSS("#value-2"), "2022"),
		chromedp.Click(chromedp.CSS(`#sua-nhieu button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#ket-qua-sua")))
	clerk.waitText("#ket-qua-sua", "Đã sửa 2 hồ sơ.")
	clerk.look("list-edited")
	dung := clerk.eval(`document.querySelector('#sua-nhieu tbody tr:nth-child(2) td:nth-child(2) a').getAttribute("href")`)
	for _, href := range []string{tuan, dung} {
		var d document
		s.get("/api/v1/documents/"+strings.TrimPrefix(href, "/ho-so/")).json(t, &d)
		if d.Metadata["truong"] != "Trường THPT Hòa An" || d.Metadata["hoi_dong_thi"] != "Hội đồng thi Trường THPT Hòa An" || d.Metadata["nam_tot_nghiep"] != "2022" {
			t.Errorf("%s after the upload form and the bulk edit: %v", d.Title, d.Metadata)
		}
	}
	// The same register number and year as another diploma: the warning
	// links to it.
	clerk.do("number the first diploma", chromedp.Navigate(s.base+tuan), chromedp.WaitVisible(chromedp.CSS("#f-so_vao_so")),
		chromedp.Clear(chromedp.CSS("#f-so_vao_so")), chromedp.SendKeys(chromedp.CSS("#f-so_vao_so"), "SV-0415"), chromedp.Click(chromedp.CSS(`.record-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	clerk.do("give the second the same number", chromedp.Navigate(s.base+dung), chromedp.WaitVisible(chromedp.CSS("#f-so_vao_so")),
		chromedp.Clear(chromedp.CSS("#f-so_vao_so")), chromedp.SendKeys(chromedp.CSS("#f-so_vao_so"), "SV-0415"), chromedp.Click(chromedp.CSS(`.record-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#trung")))
	if href := clerk.eval(`document.querySelector("#trung a").getAttribute("href")`); href != tuan {
		t.Errorf("the duplicate warning links to %q, want %q", href, tuan)
	}
	clerk.look("record-duplicate")
	if h := clerk.text("#lich-su + .table-wrap tbody"); !strings.Contains(h, "Hội đồng thi") || strings.Contains(h, "metadata.") {
		t.Errorf("the history names the fields as the form does not: %q", h)
	}

	// The API lists with the same filters and orders.
	var listed struct {
		Documents []document `json:"documents"`
	}
	s.get("/api/v1/documents?type=van_bang&year=2022&sort=title").json(t, &listed)
	if len(listed.Documents) != 2 || listed.Documents[0].Title != "d3-bang-tuan" {
		t.Errorf("the API's diplomas of 2022 by title: %+v", listed.Documents)
	}
	if r := s.get("/api/v1/documents?year=20x2&sort=size"); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"year"`) || !strings.Contains(string(r.Body), `"sort"`) {
		t.Errorf("a list with a wrong year and a wrong order: %d %s", r.Status, r.Body)
	}
	clerk.do("filter by a year that is not one", chromedp.Navigate(s.base+"/ho-so?nam=20x2"), chromedp.WaitVisible(chromedp.CSS("#nam-loi")))
	if msg := clerk.text("#nam-loi"); !strings.Contains(msg, "cần 4 chữ số") {
		t.Errorf("the message next to the year: %q", msg)
	}
	clerk.do("the diplomas of 2022", chromedp.Navigate(s.base+"/ho-so?nam=2022&tu-ngay="+time.Now().In(time.FixedZone("ICT", 7*3600)).Format("02/01/2006")),
		chromedp.WaitVisible(chromedp.CSS("#sua-nhieu")))
	if n := clerk.eval(`String(document.querySelectorAll("#sua-nhieu tbody tr").length)`); n != "2" {
		t.Errorf("the records of 2022 digitized today: %s rows, want 2", n)
	}

	// A form posted without its token (from another site, say): refused.
	form := url.Values{"title": {"Đổi tên từ trang khác"}, "type": {"van_bang"}}
	resp, err := clerk.client().PostForm(s.base+tuan, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a form without its CSRF token: %d, want 403", resp.StatusCode)
	}
	var d document
	s.get("/api/v1/documents/"+id).json(t, &d)
	if d.Title == "Đổi tên từ trang khác" {
		t.Error("a form without its CSRF token changed the record")
	}

	// The official of the parent unit finds it without diacritics.
	official := b.person("official of PGD")
	official.login("cb.pgd", password)
	official.do("search", chromedp.Navigate(s.base+"/tim-kiem"), chromedp.SendKeys(chromedp.CSS("#q"), "le quang tuan"),
		chromedp.Click(chromedp.CSS(`form.search button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".hits li")))
	official.look("search")
	official.do("save the search", chromedp.SendKeys(chromedp.CSS("#save-name"), "Bằng của Tuấn"), chromedp.Click(chromedp.CSS(`form.save-search button`)),
		chromedp.WaitVisible(chromedp.CSS(".saved a")))
	official.do("run it again later", chromedp.Navigate(s.base+"/tim-kiem"), chromedp.WaitVisible(chromedp.CSS(".saved a")),
		chromedp.Click(chromedp.CSS(".saved a")), chromedp.WaitVisible(chromedp.CSS(".hits li a")))
	if q := official.eval(`document.getElementById("q").value`); q != "le quang tuan" {
		t.Errorf("the saved search opened with q=%q", q)
	}
	official.look("search-saved")
	hit := official.eval(`document.querySelector(".hits li a").getAttribute("href")`)
	if !strings.HasPrefix(hit, "/ho-so/"+id+"?trang=1") {
		t.Fatalf("the first hit links to %q, want record %s at page 1", hit, id)
	}
	if sn := official.text(".hits li .snippet"); !strings.Contains(sn, "Tuấn") {
		t.Errorf("the snippet: %q", sn)
	}
	official.do("open the hit", chromedp.Click(chromedp.CSS(".hits li a")), chromedp.WaitVisible(chromedp.CSS("#ocr")))
	if n := official.eval(`String(document.querySelectorAll("#ocr .w.mark").length)`); n == "0" {
		t.Error("the words searched for are not marked on the record's page")
	}
	official.do("see them on the image", chromedp.WaitReady(chromedp.CSS("#viewer .box.marked")))
	official.look("record")

	// One visit, one entry of what the page showed (and one of the image).
	var logged struct{ Entries []sohoa.AuditEntry }
	s.get("/api/v1/audit?limit=1000&document="+id).json(t, &logged)
	var visits []string
	for _, e := range logged.Entries {
		if e.Username == "cb.pgd" && e.Action != sohoa.ActionPageImage {
			visits = append(visits, e.Action+" "+e.Detail)
		}
	}
	if want := sohoa.ActionRead + " nội dung trang 1, lịch sử, nhật ký truy cập"; len(visits) != 1 || visits[0] != want {
		t.Errorf("the official's visit is audited as %q, want [%s]", visits, want)
	}

	if reads := official.eval(`document.getElementById("ai-xem") ? document.getElementById("ai-xem").parentElement.innerText : ""`); !strings.Contains(reads, "vt.tha") {
		t.Errorf("the official does not see who read the record:\n%s", reads)
	}

	// Approve, then download the signed copy.
	downloads := t.TempDir()
	official.do("allow downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		c := chromedp.FromContext(ctx)
		_, err := cdp.Call(ctx, c.Browser, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, BrowserContextID: c.BrowserContextID})
		return err
	}))
	official.do("approve", chromedp.Click(chromedp.CSS(`form[action$="/phe-duyet"] button`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if msg := official.text(".notice"); !strings.Contains(msg, "Đã phê duyệt") {
		t.Errorf("after approving: %q", msg)
	}
	official.look("record-approved")
	official.do("download the signed copy", chromedp.Click(chromedp.CSS(`a[href$="/ban-sao.pdf"]`)))
	var pdf string
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end) && pdf == ""; time.Sleep(200 * time.Millisecond) {
		if got, _ := filepath.Glob(filepath.Join(downloads, "*.pdf")); len(got) > 0 {
			pdf = got[0]
		}
	}
	if pdf == "" {
		t.Fatal("no signed PDF was downloaded")
	}
	if out, _ := exec.Command("pdfsig", pdf).CombinedOutput(); !strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig on the downloaded copy:\n%s", out)
	}

	// Approved, it is found among the approved and not among the others;
	// a day of digitizing that is no day is told beside its field.
	for _, c := range []struct{ approved, want string }{{"false", "0"}, {"true", "1"}} {
		official.do("search "+c.approved, chromedp.Navigate(s.base+"/tim-kiem"), chromedp.SendKeys(chromedp.CSS("#q"), "le quang tuan"),
			chromedp.SetValue(chromedp.CSS("#approved"), c.approved), chromedp.Click(chromedp.CSS(`form.search button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".hits li")))
		if n := official.eval(`String(document.querySelectorAll(".hits li a").length)`); n != c.want {
			t.Errorf("approved=%s: %s hits, want %s", c.approved, n, c.want)
		}
	}
	official.do("digitized on no day", chromedp.Navigate(s.base+"/tim-kiem?q=le+quang+tuan&digitized_from=31/02/2026"),
		chromedp.WaitVisible(chromedp.CSS("#digitized_from-loi")))
	if inv := official.eval(`document.getElementById("digitized_from").getAttribute("aria-invalid")`); inv != "true" {
		t.Errorf("the wrong day's field is not marked invalid: %q", inv)
	}
	if msg := official.text(".problem"); !strings.HasPrefix(msg, "Số hóa từ ngày: ngày 31/02/2026 không tồn tại") {
		t.Errorf("the problem with the day, as told: %q", msg)
	}
	official.look("search-filter-problem")

	// A register page: a search by a name on it opens the page at the row,
	// the rows a table with the row found marked, on the image too.
	reg := samples.Generate(rand.New(rand.NewPCG(30, 4)), samples.KindSoGoc, "so-goc")
	regPNG, _ := samples.PNG(reg)
	r := s.upload(adminToken, part{field: "unit_id", data: []byte("THA")}, part{field: "type", data: []byte("so_goc")}, part{"file", "so-goc.png", regPNG})
	var regDoc document
	r.json(t, &regDoc)
	s.waitDone(regDoc.ID)
	who := reg.Rows[1]["ho_ten"]
	official.do("search a name of the register", chromedp.Navigate(s.base+"/tim-kiem?q="+url.QueryEscape(vntext.Fold(who))), chromedp.WaitVisible(chromedp.CSS(".hits li a")))
	if href := official.eval(`document.querySelector(".hits li a").getAttribute("href")`); !strings.Contains(href, "dong=2") {
		t.Errorf("the hit on the register links to %q, not to its row 2", href)
	}
	official.do("open it at the row", chromedp.Click(chromedp.CSS(".hits li a")), chromedp.WaitVisible(chromedp.CSS("table.entries tr.found")),
		chromedp.WaitReady(chromedp.CSS("#viewer .box.marked")))
	if found := official.text("table.entries tr.found td"); found != "2" {
		t.Errorf("the row marked: %q, want row 2 (%s)", found, who)
	}
	official.look("record-register")
	official.do("see row 5 on the image", chromedp.Click(chromedp.CSS("table.entries tbody tr:nth-child(5) .show-box")),
		chromedp.WaitReady(chromedp.CSS("#viewer .box.picked")))
	if top := official.eval(`String(Math.round(document.getElementById("viewer").getBoundingClientRect().top))`); top != "0" {
		t.Errorf("the row's Xem leaves the image out of sight: the viewer's top at %s px", top)
	}
	if msg := official.text("#thong-tin + .empty, #thong-tin ~ p.empty"); !strings.Contains(msg, "Chưa nhập thông tin") {
		t.Errorf("a register with no field yet says %q under Thông tin hồ sơ", msg)
	}
	// The school's clerk confirms the row, its name put right as printed.
	clerk.do("open row 2", chromedp.Navigate(s.base+"/ho-so/"+regDoc.ID+"/dong/2"), chromedp.WaitVisible(chromedp.CSS("#f-ho_ten")))
	clerk.look("entry")
	clerk.do("confirm it", chromedp.Clear(chromedp.CSS("#f-ho_ten")), chromedp.SendKeys(chromedp.CSS("#f-ho_ten"), who),
		chromedp.Click(chromedp.CSS(`.record-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	var confirmed struct {
		Entries []struct {
			Fields map[string]struct {
				Value    string `json:"value"`
				Doubtful bool   `json:"doubtful"`
			} `json:"fields"`
		} `json:"entries"`
	}
	s.get("/api/v1/documents/"+regDoc.ID).json(t, &confirmed)
	if f := confirmed.Entries[1].Fields; f["ho_ten"].Value != who || f["ho_ten"].Doubtful || f["so_vao_so"].Value != reg.Rows[1]["so_vao_so"] && !f["so_vao_so"].Doubtful {
		t.Errorf("row 2 after the clerk confirmed it: %+v, printed %v", f, reg.Rows[1])
	}

	// The month's report: the office's schools below it, two charts drawn,
	// and the spreadsheet to send the province.
	official.do("open the report", chromedp.Navigate(s.base+"/bao-cao"), chromedp.WaitVisible(chromedp.CSS(".report-totals")))
	if text := official.text("main"); !strings.Contains(text, "Theo đơn vị") || !strings.Contains(text, "THPT Chu Văn An") && !strings.Contains(text, "THA") {
		t.Errorf("the report page:\n%s", text)
	}
	if drawn := official.eval(`[...document.querySelectorAll(".charts img")].filter(i => i.complete && i.naturalWidth > 0).length + ""`); drawn != "2" {
		t.Errorf("%s charts drawn, want 2", drawn)
	}
	if n := official.eval(`document.querySelector(".report-totals dd").textContent`); n == "0" || n == "" {
		t.Errorf("documents this month: %q", n)
	}
	href := official.eval(`document.querySelector('a[href*="dinh-dang=xlsx"]').getAttribute("href")`)
	if resp, err := official.client().Get(s.base + href); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("the XLSX: %v %+v", err, resp)
	} else {
		magic := make([]byte, 2)
		io.ReadFull(resp.Body, magic)
		resp.Body.Close()
		if string(magic) != "PK" {
			t.Errorf("the XLSX is no workbook: %q", magic)
		}
	}
	official.look("report")
	// The form under it issues the báo cáo, signed.
	signForm := url.Values{"csrf": {official.eval(`document.querySelector('form.sign-report input[name="csrf"]').value`)},
		"thang": {official.eval(`document.querySelector('form.sign-report input[name="thang"]').value`)}, "don-vi": {"PGD"},
		"chuc-vu": {"TRƯỞNG PHÒNG"}, "nguoi-ky": {"Trần Văn Bình"}, "dia-danh": {"Hải Dương"}, "noi-nhan": {"Sở GD&ĐT (để b/c);\nLưu: VT."}}
	if resp, err := official.client().PostForm(s.base+"/bao-cao/ky", signForm); err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the signed report from the page: %v %+v", err, resp)
	} else {
		head := make([]byte, 5)
		io.ReadFull(resp.Body, head)
		resp.Body.Close()
		if string(head) != "%PDF-" {
			t.Errorf("the signed report is no PDF: %q", head)
		}
	}

	// A clerk of the sibling school: nothing found, and 404 at the address.
	sibling := b.person("clerk of THB")
	sibling.login("vt.thb", password)
	sibling.do("search", chromedp.Navigate(s.base+"/tim-kiem?q=le+quang+tuan"), chromedp.WaitVisible(chromedp.CSS(".hits")))
	if n := sibling.eval(`String(document.querySelectorAll(".hits li a").length)`); n != "0" {
		t.Errorf("a clerk of a sibling school finds %s hits", n)
	}
	resp2, err := chromedp.Run(sibling.ctx, chromedp.NavigateResponse(s.base+tuan))
	if err != nil {
		t.Fatal(err)
	}
	if resp2.Status != 404 || !strings.Contains(sibling.text("h1"), "Không tìm thấy") {
		t.Errorf("a clerk of a sibling school opens the record: %d %q", resp2.Status, sibling.text("h1"))
	}
	sibling.look("not-found")
	sibling.do("list", chromedp.Navigate(s.base+"/ho-so"), chromedp.WaitVisible(chromedp.CSS("h1")))
	sibling.look("list")

	// The admin sets up a school and its clerk, and a procedure system's
	// token, shown once, on the page.
	admin := b.person("admin")
	admin.login("quantri", password)
	admin.do("open the admin page", chromedp.Navigate(s.base+"/quan-tri"), chromedp.WaitVisible(chromedp.CSS("#don-vi")))
	admin.look("admin")
	admin.do("add a school", chromedp.Click(chromedp.CSS("#don-vi ~ details summary, section[aria-labelledby=don-vi] details summary")),
		chromedp.SendKeys(chromedp.CSS("#u-id"), "THC"), chromedp.SendKeys(chromedp.CSS("#u-name"), "Trường THPT C"),
		chromedp.SetValue(chromedp.CSS("#u-parent"), "PGD"), chromedp.Click(chromedp.CSS(`form[action="/quan-tri/don-vi"] button`)))
	admin.waitText(".notice", "Đã thêm đơn vị")
	admin.do("add its clerk", chromedp.Click(chromedp.CSS("section[aria-labelledby=nguoi-dung] > details summary")),
		chromedp.SendKeys(chromedp.CSS("#n-username"), "vt.thc"), chromedp.SendKeys(chromedp.CSS("#n-full"), "Trần Văn Cường"),
		chromedp.SetValue(chromedp.CSS("#n-unit"), "THC"), chromedp.SendKeys(chromedp.CSS("#n-password"), "mật khẩu của Cường"),
		chromedp.Click(chromedp.CSS(`form[action="/quan-tri/nguoi-dung"] button`)))
	admin.waitText(".notice", "Đã thêm người dùng")
	if r := s.do("POST", "/api/v1/login", "", strings.NewReader(`{"username":"vt.thc","password":"mật khẩu của Cường"}`), "application/json"); r.Status != 200 {
		t.Errorf("the clerk added on the admin page cannot sign in: %d %s", r.Status, r.Body)
	}
	admin.do("make a token", chromedp.Navigate(s.base+"/quan-tri/ma-truy-cap"), chromedp.WaitVisible(chromedp.CSS("#tk-name")),
		chromedp.SendKeys(chromedp.CSS("#tk-name"), "máy quét"), chromedp.Click(chromedp.CSS(`form[action="/quan-tri/ma-truy-cap"] button`)),
		chromedp.WaitVisible(chromedp.CSS("code.token")))
	if tok := admin.text("code.token"); s.do("GET", "/api/v1/me", tok, nil, "").Status != 200 {
		t.Errorf("the token shown once does not open the API: %q", tok)
	}
	admin.look("tokens")
	admin.do("read the audit log", chromedp.Navigate(s.base+"/quan-tri/nhat-ky?ho-so="+id), chromedp.WaitVisible(chromedp.CSS("h1")))
	if log := admin.text("main"); !strings.Contains(log, "phê duyệt") || !strings.Contains(log, "cb.pgd") {
		t.Errorf("the audit log of the record:\n%s", log)
	}
	admin.look("audit")

	// Keyboard only: sign in, reach the search, find, open the hit; every
	// control reached shows where the focus is.
	keys := b.person("official with a keyboard only")
	keys.do("open the site", chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")))
	keys.tabTo(`document.activeElement.id === "username"`)
	keys.do("type the username", chromedp.KeyEvent("cb.pgd"))
	keys.tabTo(`document.activeElement.id === "password"`)
	keys.do("type the password and press Enter", chromedp.KeyEvent(password), chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(".who")))
	keys.tabTo(`document.activeElement.getAttribute("href") === "/tim-kiem"`)
	keys.do("open the search", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#q")))
	keys.tabTo(`document.activeElement.id === "q"`)
	keys.do("search", chromedp.KeyEvent("le quang tuan\r"), chromedp.WaitVisible(chromedp.CSS(".hits li a")))
	keys.tabTo(`document.activeElement.closest(".hits") !== null`)
	keys.do("open the hit", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#viewer")))
	if u := keys.eval(`location.pathname`); u != "/ho-so/"+id {
		t.Errorf("the hit opened by keyboard: %s", u)
	}

	// Wrong passwords: the fifth locks the account, and says until when.
	guesser := b.person("someone guessing")
	for i := range 5 {
		guesser.do(fmt.Sprintf("wrong password %d", i+1), chromedp.Navigate(s.base+"/dang-nhap"), chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "vt.khoa"), chromedp.SendKeys(chromedp.CSS("#password"), "sai mật khẩu"),
			chromedp.Click(chromedp.CSS(`form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".problem")))
	}
	if msg := guesser.text(".problem"); !strings.Contains(msg, "tạm bị khóa đến") {
		t.Errorf("after five wrong passwords: %q", msg)
	}
	guesser.do("the right password, too soon", chromedp.Navigate(s.base+"/dang-nhap"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "vt.khoa"), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".problem")))
	if msg := guesser.text(".problem"); !strings.Contains(msg, "tạm bị khóa đến") {
		t.Errorf("the right password while locked out: %q", msg)
	}
	guesser.look("login-locked")
	t.Logf("looked at and checked with axe-core: %s", strings.Join(b.checks, ", "))
}
