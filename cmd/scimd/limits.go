package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/scimd/scimd/directory"
)

// defaultSCIMRate is each SCIM token's default limit, in requests per
// second: 24 times the 25 a tenant's Entra provisioning job sends at most,
// so no IdP sync meets it, while one leaked or looping client can't take
// the database from every other tenant.
const defaultSCIMRate = 600

// limitConfig is the abuse limits of scimd serve.
type limitConfig struct {
	SCIMRate string
}

func (c *limitConfig) register(fs *flagSet) {
	fs.stringEnv(&c.SCIMRate, "scim-rate-limit", "SCIMD_SCIM_RATE_LIMIT", "",
		"requests per second each SCIM token may send, counted across all replicas in the database; past it the answer is 429 with Retry-After (`N`, 0 for no limit; default "+strconv.Itoa(defaultSCIMRate)+")")
}

func (c limitConfig) checks() []check {
	if c.SCIMRate == "" {
		return nil // the default
	}
	n, err := strconv.Atoi(c.SCIMRate)
	return []check{
		{err != nil || n < 0 || n > 1000000, fmt.Sprintf("--scim-rate-limit (SCIMD_SCIM_RATE_LIMIT) %q is not a number of requests per second from 0 (no limit) to 1000000", truncate(c.SCIMRate, 40))},
	}
}

// rate returns the limit of a config that passed checks.
func (c limitConfig) rate() int {
	if c.SCIMRate == "" {
		return defaultSCIMRate
	}
	n, _ := strconv.Atoi(c.SCIMRate)
	return n
}

// scimRateLimiter returns the SCIM tokens' limiter, or nil for none.
func scimRateLimiter(st store, sc signInConfig) *directory.RateLimiter {
	if sc.scimRate <= 0 {
		return nil
	}
	return directory.NewRateLimiter(st, sc.scimRate, time.Second, sc.now)
}
