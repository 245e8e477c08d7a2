package main

import (
	"context"
	"log/slog"
	"time"

	"sohoa"
	"sohoa/records"
	"sohoa/store"
)

// keepReports makes the Department's report of the month before on its
// day (SOHOA_REPORT_DAY, the 1st by default) and keeps it in the store,
// once: it looks at start and every hour, until ctx is done.
func keepReports(ctx context.Context, st store.Store, rec *records.Service, root func(context.Context) (*sohoa.Unit, error), day int, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if month, err := keepReport(ctx, st, rec, root, day, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("monthly report not kept", "err", err)
		} else if month != "" {
			log.Info("monthly report kept", "month", month)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// keepReport keeps the report of the month before now, if its day has
// come and it is not kept yet; it returns the month it kept.
func keepReport(ctx context.Context, st store.Store, rec *records.Service, root func(context.Context) (*sohoa.Unit, error), day int, now time.Time) (string, error) {
	now = now.In(sohoa.Vietnam)
	if day <= 0 || now.Day() < day {
		return "", nil
	}
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, sohoa.Vietnam).AddDate(0, -1, 0).Format("2006-01")
	u, err := root(ctx)
	if err != nil {
		return "", err
	}
	key := store.MonthlyReportKey(month, u.ID)
	if _, err := st.Stat(ctx, key); err == nil {
		return "", nil
	} else if !sohoa.IsNotFound(err) {
		return "", err
	}
	r, err := rec.MonthlyReport(ctx, sohoa.Operator(), month, u.ID)
	if err != nil {
		return "", err
	}
	return month, store.PutJSON(ctx, st, key, r)
}
