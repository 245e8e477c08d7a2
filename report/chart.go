package report

import (
	"bytes"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// MonthCount is one month of a trend.
type MonthCount struct {
	Month     string `json:"month"`
	Documents int    `json:"documents"`
	Pages     int    `json:"pages"`
	Approved  int    `json:"approved"`
	Reuse     int    `json:"reuse"`
}

func init() {
	// The page's type is a sans serif; gonum/plot draws in Liberation,
	// which has every Vietnamese mark. (Set before any plot is made: plots
	// take their fonts from here when made.)
	plot.DefaultFont.Variant = "Sans"
}

var (
	blue  = color.RGBA{R: 0x1f, G: 0x5f, B: 0xa8, A: 0xff}
	green = color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	amber = color.RGBA{R: 0xb2, G: 0x6a, B: 0x00, A: 0xff}
)

// UnitChart draws the month per unit one level below the report's (or per
// record type, for a unit with none below it): documents digitized and
// copies approved, as SVG.
func UnitChart(r *Report) ([]byte, error) {
	p, err := unitPlot(r)
	if err != nil {
		return nil, err
	}
	return svg(p, chartW, chartH)
}

// The charts' size.
const (
	chartW = 16 * vg.Centimeter
	chartH = 9 * vg.Centimeter
)

func unitPlot(r *Report) (*plot.Plot, error) {
	var labels []string
	var docs, approved plotter.Values
	for _, u := range r.Units {
		if u.Depth == 1 {
			labels = append(labels, u.UnitID)
			docs = append(docs, float64(u.Totals.Documents))
			approved = append(approved, float64(u.Totals.Approved))
		}
	}
	title := "Tháng " + MonthVN(r.Month) + " theo đơn vị"
	if len(labels) == 0 {
		for _, t := range r.Types {
			labels = append(labels, t.Label)
			docs = append(docs, float64(t.Totals.Documents))
			approved = append(approved, float64(t.Totals.Approved))
		}
		title = "Tháng " + MonthVN(r.Month) + " theo loại hồ sơ"
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "Số hồ sơ"
	p.Y.Min = 0
	if len(labels) == 0 {
		labels, docs, approved = []string{"–"}, plotter.Values{0}, plotter.Values{0}
	}
	w := vg.Points(14)
	a, err := plotter.NewBarChart(docs, w)
	if err != nil {
		return nil, err
	}
	a.Color, a.LineStyle.Width, a.Offset = blue, 0, -w/2
	b, err := plotter.NewBarChart(approved, w)
	if err != nil {
		return nil, err
	}
	b.Color, b.LineStyle.Width, b.Offset = green, 0, w/2
	p.Add(a, b, plotter.NewGrid())
	p.Legend.Add("Hồ sơ số hóa", a)
	p.Legend.Add("Bản được duyệt", b)
	p.Legend.Top = true
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.6, float64(len(labels))-0.4
	counts(p, append(docs, approved...))
	return p, nil
}

// counts gives p's Y axis whole numbers, and room above the highest for
// the legend.
func counts(p *plot.Plot, values []float64) {
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	p.Y.Max = max(top*1.3, top+1)
	p.Y.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		step := 1.0
		for (max-min)/step > 8 {
			step *= 2
		}
		var ticks []plot.Tick
		for v := 0.0; v <= max; v += step {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
		}
		return ticks
	})
}

// TrendChart draws the months of a trend: documents digitized, copies
// approved and fetched by procedure systems, as SVG.
func TrendChart(months []MonthCount) ([]byte, error) {
	p, err := trendPlot(months)
	if err != nil {
		return nil, err
	}
	return svg(p, chartW, chartH)
}

func trendPlot(months []MonthCount) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Mười hai tháng gần nhất"
	p.Y.Label.Text = "Số hồ sơ"
	p.Y.Min = 0
	var labels []string
	series := []struct {
		name  string
		c     color.Color
		value func(MonthCount) int
	}{
		{"Hồ sơ số hóa", blue, func(m MonthCount) int { return m.Documents }},
		{"Bản được duyệt", green, func(m MonthCount) int { return m.Approved }},
		{"Lượt khai thác", amber, func(m MonthCount) int { return m.Reuse }},
	}
	for _, m := range months {
		labels = append(labels, MonthVN(m.Month)[:2]+"/"+m.Month[2:4])
	}
	for _, s := range series {
		xys := make(plotter.XYs, len(months))
		for i, m := range months {
			xys[i].X, xys[i].Y = float64(i), float64(s.value(m))
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color, pts.Color, pts.Shape = s.c, s.c, draw.CircleGlyph{}
		p.Add(l, pts)
		p.Legend.Add(s.name, l)
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(labels))-0.5
	var all []float64
	for _, m := range months {
		all = append(all, float64(m.Documents), float64(m.Approved), float64(m.Reuse))
	}
	counts(p, all)
	return p, nil
}

// pngOf draws p as a PNG at 150 dpi, for the PDF.
func pngOf(p *plot.Plot) ([]byte, error) {
	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(150))}
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func svg(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
