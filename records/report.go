package records

import (
	"context"
	"strings"
	"time"

	"sohoa"
	"sohoa/report"
)

// ReuseSummary sums up the reuse ledger: the papers citizens did not have
// to bring, by procedure system, procedure and type.
type ReuseSummary struct {
	Total       int                 `json:"total"`
	Cases       int                 `json:"cases"`
	ByClient    map[string]int      `json:"by_client"`
	ByProcedure map[string]int      `json:"by_procedure"`
	ByType      map[string]int      `json:"by_type"`
	Entries     []*sohoa.ReuseEntry `json:"entries"`
}

// Reuse sums up the ledger between from and to (zero: unbounded), for an
// official or an admin.
func (s *Service) Reuse(ctx context.Context, p *sohoa.Principal, from, to time.Time) (*ReuseSummary, error) {
	if p.Role != sohoa.RoleOfficial && p.Role != sohoa.RoleAdmin {
		return nil, errForbidden()
	}
	// An official sees the fetches of its units' records only.
	entries, err := s.cat.ReuseWithin(ctx, p.Reach(), from, to)
	if err != nil {
		return nil, err
	}
	r := &ReuseSummary{Total: len(entries), ByClient: map[string]int{}, ByProcedure: map[string]int{}, ByType: map[string]int{}, Entries: entries}
	cases := map[string]bool{}
	for _, e := range entries {
		r.ByClient[e.Client]++
		r.ByProcedure[e.Procedure]++
		r.ByType[e.Type]++
		cases[e.Client+"|"+e.CaseID] = true
	}
	r.Cases = len(cases)
	return r, nil
}

// AuditLog returns audit entries: all of them to an admin, to an official
// those about records within its reach.
func (s *Service) AuditLog(ctx context.Context, p *sohoa.Principal, f sohoa.AuditFilter) ([]*sohoa.AuditEntry, error) {
	switch p.Role {
	case sohoa.RoleAdmin:
	case sohoa.RoleOfficial:
		f.UnitPath = p.UnitPath
	default:
		return nil, errForbidden()
	}
	entries, err := s.cat.Audit(ctx, f)
	if err == nil {
		err = s.record(ctx, p, sohoa.ActionAuditRead, f.Document, "")
	}
	return entries, err
}

// MonthlyReport makes the report of month ("2026-11") for the unit unitID
// ("" for p's own; the whole Department for an admin) and the units below
// it: officials for their unit's subtree, admins for any.
func (s *Service) MonthlyReport(ctx context.Context, p *sohoa.Principal, month, unitID string) (*report.Report, error) {
	if p.Role != sohoa.RoleOfficial && p.Role != sohoa.RoleAdmin {
		return nil, errForbidden()
	}
	if _, _, err := report.MonthRange(month); err != nil {
		return nil, err
	}
	if unitID == "" {
		unitID = p.UnitID
	}
	var unit *sohoa.Unit
	var err error
	if unitID == "" {
		unit, err = s.cat.Root(ctx) // an admin without a unit: the Department
	} else {
		unit, err = s.unit(ctx, p, unitID, false)
	}
	if err != nil {
		return nil, err
	}
	r, err := report.Monthly(ctx, s.cat, unit, month, s.now())
	if err != nil {
		return nil, err
	}
	return r, s.record(ctx, p, sohoa.ActionReport, "", month+" "+unit.ID)
}

// MonthlyReportPDF is the month's report of unit laid out as a báo cáo of
// Decree 30 with heading h, signed with the Department's key: an official
// issues it (officials for their subtree, admins for any).
func (s *Service) MonthlyReportPDF(ctx context.Context, p *sohoa.Principal, month, unitID string, h report.Heading) ([]byte, error) {
	var probs sohoa.Problems
	if strings.TrimSpace(h.Signer) == "" {
		probs.Add("signer", "Cần họ tên người ký.")
	}
	if strings.TrimSpace(h.Title) == "" {
		probs.Add("title", "Cần chức vụ người ký.")
	}
	for name, v := range map[string]string{"parent": h.Parent, "body": h.Body, "number": h.Number, "place": h.Place,
		"authority": h.Authority, "title": h.Title, "signer": h.Signer} {
		if len([]rune(v)) > 120 {
			probs.Add(name, "Quá dài: tối đa 120 ký tự.")
		}
	}
	if len(h.Recipients) > 20 {
		probs.Add("recipients", "Tối đa 20 nơi nhận.")
	}
	for _, r := range h.Recipients {
		if len([]rune(r)) > 200 {
			probs.Add("recipients", "Mỗi nơi nhận tối đa 200 ký tự.")
			break
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	r, err := s.MonthlyReport(ctx, p, month, unitID)
	if err != nil {
		return nil, err
	}
	h.Date = s.now()
	if h.Body == "" {
		h.Body = r.UnitName
	}
	if h.Number == "" {
		h.Number = "Số:      /BC-" + r.UnitID
	}
	pages, err := report.PDFPages(r, h)
	if err != nil {
		return nil, err
	}
	pdf, err := s.writer.SignReport(pages, "Báo cáo kết quả số hóa tháng "+r.Month+" - "+r.UnitName, h.Date)
	if err != nil {
		return nil, err
	}
	return pdf, s.record(ctx, p, sohoa.ActionReport, "", "ký báo cáo "+month+" "+r.UnitID)
}
