package main

import (
	"log/slog"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/admin/console"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/sso"
	"github.com/scimd/scimd/sso/saml"
)

// newConsole wires the admin console to the sign-in server (sessions,
// redirect URIs, break-glass links and banner), the connection test the
// admin API runs (both connectors) and the SAML connector's set-up.
func newConsole(svc *directory.Service, log *slog.Logger, baseURL string, keeper secretbox.Keeper, signIn *sso.Server,
	test admin.ConnectionTester, sc *saml.Connector) (*console.Console, error) {
	return console.New(console.Config{
		Service: svc, Log: log, BaseURL: baseURL, Secrets: keeper,
		SignedIn:    signIn.SignedIn,
		CallbackURL: signIn.CallbackURL,
		MetadataURL: func(t *directory.Tenant, c *directory.Connection) string {
			if c.Kind != directory.KindSAML {
				return ""
			}
			return sc.MetadataURL(t, c)
		},
		Check:   test,
		SAML:    sc.Admin(),
		LinkURL: signIn.LinkURL,
		Banners: console.BreakGlassBanner,
	})
}
