package directory

import (
	"context"
	"time"
)

// ProvisioningQuery selects entries of the provisioning log, newest first:
// what an admin filters by to answer "why did Okta fail on this user?".
type ProvisioningQuery struct {
	// Outcome keeps failed requests (status 400 and above), succeeded
	// ones (below 400), or, "", both.
	Outcome ProvisioningOutcome
	// Path keeps requests to this path or below it, such as
	// "/scim/v2/Users" (the directory stores the path as the protocol
	// layer gave it and compares it as text).
	Path string
	// ResourceID keeps requests about one record.
	ResourceID string
	// Since keeps entries at or after it.
	Since time.Time
	// Before pages backwards: only entries with an id below it.
	Before int64
	Limit  int
}

// ProvisioningOutcome is what ProvisioningQuery.Outcome filters by.
type ProvisioningOutcome string

// The outcomes a provisioning query filters by.
const (
	ProvisioningFailed    ProvisioningOutcome = "failed"
	ProvisioningSucceeded ProvisioningOutcome = "succeeded"
)

// Valid reports whether o is "" or one of the outcomes.
func (o ProvisioningOutcome) Valid() bool {
	return o == "" || o == ProvisioningFailed || o == ProvisioningSucceeded
}

// ProvisioningLog returns the tenant's provisioning log entries matching
// q, newest first. It returns a ValidationError for an unknown outcome.
func (s *Service) ProvisioningLog(ctx context.Context, tenant int64, q ProvisioningQuery) ([]*ProvisioningEntry, error) {
	if !q.Outcome.Valid() {
		return nil, invalid("outcome", "outcome %q is not failed or succeeded", q.Outcome)
	}
	return s.store.ProvisioningLog(ctx, tenant, q)
}
