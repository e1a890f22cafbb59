package sqlstore

import "context"

// CountRequests is one statement, in a transaction of its own: the store's
// write path (SQLite reads on read-only connections).
func (s *Store) CountRequests(ctx context.Context, key string, start int64, n int64) (int64, error) {
	var total int64
	err := s.db.Write(ctx, func(db DB) error {
		return db.QueryRow(ctx, `INSERT INTO request_windows (key, window_start, count) VALUES ($1, $2, $3)
			ON CONFLICT (key, window_start) DO UPDATE SET count = request_windows.count + excluded.count
			RETURNING count`, key, start, n).Scan(&total)
	})
	return total, s.mapError(err)
}

func (s *Store) SweepRequestWindows(ctx context.Context, before int64) error {
	return s.mapError(s.db.Write(ctx, func(db DB) error {
		_, err := db.Exec(ctx, `DELETE FROM request_windows WHERE window_start < $1`, before)
		return err
	}))
}
