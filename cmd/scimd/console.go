package main

import (
	"context"
	"log/slog"

	"github.com/scimd/scimd/admin/console"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/sso"
	"github.com/scimd/scimd/sso/oidc"
)

// newConsole wires the admin console to the sign-in server (sessions,
// redirect URIs) and the OIDC connector (connection tests).
func newConsole(svc *directory.Service, log *slog.Logger, baseURL string, keeper secretbox.Keeper, signIn *sso.Server, oc *oidc.Connector) (*console.Console, error) {
	return console.New(console.Config{
		Service: svc, Log: log, BaseURL: baseURL, Secrets: keeper,
		SignedIn:    signIn.SignedIn,
		CallbackURL: signIn.CallbackURL,
		Check: func(ctx context.Context, c *directory.Connection) []console.Finding {
			var out []console.Finding
			for _, f := range oc.Check(ctx, c) {
				out = append(out, console.Finding{Level: string(f.Level), Message: f.Message})
			}
			return out
		},
	})
}
