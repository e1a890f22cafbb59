package directory

import "time"

// Tenant is one customer of the SaaS: its own users, teams, tokens and
// settings, sharing nothing with other tenants.
type Tenant struct {
	ID   int64
	Slug string // names the tenant in URLs and the CLI
	Name string
	// Seats is how many live, active staff the tenant may have; 0 means
	// unlimited.
	Seats int
	// SeatsUsed counts the staff who take a seat. Stores keep it exactly
	// only while Seats is limited (so that unlimited tenants don't funnel
	// every write through one row); read it through Service.Seats.
	SeatsUsed int
	Settings  Settings
	Created   time.Time
}

// Settings are a tenant's choices. The zero value is the default.
type Settings struct {
	// HardDeleteAfter, when positive, is how long a deleted user's
	// tombstone is kept before it may be purged.
	HardDeleteAfter time.Duration `json:"hardDeleteAfter,omitempty"`
	// SSO holds the tenant's sign-in choices.
	SSO SSOSettings `json:"sso,omitzero"`
	// BreakGlass holds the tenant's break-glass choices.
	BreakGlass BreakGlassSettings `json:"breakGlass,omitzero"`
}

// SeatUsage is what a tenant's admins see of its seats.
type SeatUsage struct {
	Seats     int // 0: unlimited
	Used      int
	Available int // -1 when unlimited
}
