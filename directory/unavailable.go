package directory

import "errors"

// ErrUnavailable means the database could not be reached or dropped the
// connection: the request may succeed if retried later. A write that
// fails with it may or may not have committed (a lost commit
// acknowledgment), so callers answer "retry", and retries must be safe.
var ErrUnavailable = errors.New("the database is unavailable")
