package main

import (
	"fmt"
	"net/netip"
	"strings"
)

// proxyConfig names the load balancers whose X-Forwarded-For scimd
// believes for a client's address: the break-glass per-address lockout
// and the audit log need the client's, not the load balancer's.
type proxyConfig struct {
	Trusted string // comma-separated CIDRs or addresses
}

func (c *proxyConfig) register(fs *flagSet) {
	fs.stringEnv(&c.Trusted, "trusted-proxies", "SCIMD_TRUSTED_PROXIES", "",
		"`CIDRS` of load balancers (comma-separated, e.g. 10.0.0.0/8) whose X-Forwarded-For gives the client's address; by default the peer's address counts")
}

// prefixes returns the parsed list of a config that passed checks.
func (c proxyConfig) prefixes() []netip.Prefix {
	out, _ := parsePrefixes(c.Trusted)
	return out
}

func (c proxyConfig) checks() []check {
	_, err := parsePrefixes(c.Trusted)
	msg := ""
	if err != nil {
		msg = "--trusted-proxies (SCIMD_TRUSTED_PROXIES): " + err.Error()
	}
	return []check{{err != nil, msg}}
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR such as 10.0.0.0/8", truncate(f, 60))
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
