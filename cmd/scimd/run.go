package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// env is what a command takes from its process, passed in so that tests
// run commands in-process with an environment, streams and clock of their
// own.
type env struct {
	getenv func(string) string
	stdout io.Writer // results: tables, the new token's secret
	stderr io.Writer // logs (serve) and hints
	// ready, if not nil, is called by serve with the address it listens
	// on, once it is ready to answer. Tests give --addr 127.0.0.1:0 and
	// learn the port here.
	ready func(addr string)
	now   func() time.Time
}

// run runs the command in args (os.Args[1:]) and returns its error, which
// main prints. It returns when the command is done; serve is done when
// ctx ends and the server has shut down.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready func(addr string)) (err error) {
	defer func() {
		// An operator gets one line, never a stack trace. (Panics while
		// serving a request are recovered, with their stack logged, by
		// httpx.Recover.)
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v (this is a bug in scimd; please report it)", p)
		}
	}()
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr, ready: ready, now: time.Now}
	err = dispatch(ctx, e, "", args, commands())
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

// printError prints err for an operator: each line prefixed "scimd: ", so
// a configuration with three problems prints three lines, one each.
func printError(w io.Writer, err error) {
	for line := range strings.Lines(err.Error()) {
		fmt.Fprintln(w, "scimd:", strings.TrimRight(line, "\r\n"))
	}
}

// command is a subcommand: either it runs, or it has subcommands of its
// own ("tenant create").
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, cmd string, args []string) error
	sub     []command
}

func commands() []command {
	return []command{
		{name: "serve", summary: "serve SCIM, the admin API, health checks and metrics over HTTP", run: serveCmd},
		{name: "migrate", summary: "apply pending database migrations", run: migrateCmd},
		{name: "tenant", summary: "manage tenants", sub: []command{
			{name: "create", summary: "add a tenant", run: tenantCreateCmd},
			{name: "list", summary: "list the tenants", run: tenantListCmd},
			{name: "update", summary: "rename a tenant or change its seats", run: tenantUpdateCmd},
		}},
		{name: "token", summary: "manage a tenant's bearer tokens", sub: []command{
			{name: "create", summary: "make a token (its secret is shown once)", run: tokenCreateCmd},
			{name: "list", summary: "list a tenant's tokens (never their secrets)", run: tokenListCmd},
			{name: "revoke", summary: "revoke a token at once", run: tokenRevokeCmd},
		}},
		{name: "user", summary: "see and change a tenant's users", sub: []command{
			{name: "list", summary: "list users, optionally matching a SCIM filter", run: userListCmd},
			{name: "show", summary: "show a user: every field, who owns it, identities, teams", run: userShowCmd},
			{name: "set", summary: "change fields of a user (FIELD=VALUE ...)", run: userSetCmd},
		}},
		{name: "team", summary: "see and change a tenant's teams", sub: []command{
			{name: "list", summary: "list teams with their member counts", run: teamListCmd},
			{name: "show", summary: "show a team and its members", run: teamShowCmd},
			{name: "create", summary: "add a local team", run: teamCreateCmd},
			{name: "rename", summary: "rename a local team", run: teamRenameCmd},
			{name: "delete", summary: "delete a local team (its members stay)", run: teamDeleteCmd},
			{name: "add", summary: "add users to a local team", run: teamAddCmd},
			{name: "remove", summary: "remove users from a local team", run: teamRemoveCmd},
		}},
		{name: "sso", summary: "configure how a tenant's staff sign in", sub: []command{
			{name: "show", summary: "show a tenant's sign-in settings and connections (never secrets)", run: ssoShowCmd},
			{name: "set-oidc", summary: "add or change a tenant's OIDC connection", run: ssoSetOIDCCmd},
			{name: "set-saml", summary: "add or change a tenant's SAML connection; prints what to give the IdP", run: ssoSetSAMLCmd},
			{name: "enforce", summary: "turn SSO enforcement on or off (passwords only for break-glass)", run: ssoEnforceCmd},
			{name: "settings", summary: "how first sign-ins link, just-in-time users, IdP-initiated sign-in", run: ssoSettingsCmd},
			{name: "test", summary: "fetch a connection's discovery document, keys or metadata and report what is wrong", run: ssoTestCmd},
			{name: "delete", summary: "delete a connection, its links and its sessions", run: ssoDeleteCmd},
		}},
		{name: "breakglass", summary: "manage a tenant's break-glass accounts (the way in when SSO breaks)", sub: []command{
			{name: "create", summary: "make a break-glass account and print its enrollment link", run: breakGlassCreateCmd},
			{name: "list", summary: "list a tenant's break-glass accounts and their state", run: breakGlassListCmd},
			{name: "disable", summary: "disable a break-glass account and end its sessions", run: breakGlassDisableCmd},
			{name: "reset", summary: "forget an account's credentials and print a new enrollment link", run: breakGlassResetCmd},
		}},
		{name: "recover", summary: "print a single-use link that opens a break-glass session", run: recoverCmd},
		{name: "audit", summary: "read a tenant's audit log", sub: []command{
			{name: "export", summary: "write the audit log as JSON lines, oldest first, for a SIEM", run: auditExportCmd},
		}},
	}
}

// dispatch finds the command args[0] names among cmds and runs it with
// the rest. parent is the command so far ("tenant"), for messages.
func dispatch(ctx context.Context, e *env, parent string, args []string, cmds []command) error {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	list := strings.Join(names, ", ")
	if len(args) == 0 {
		if parent == "" {
			return fmt.Errorf("no command given; commands are %s (see scimd --help)", list)
		}
		return fmt.Errorf("%s needs a command: %s (see scimd %s --help)", parent, list, parent)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout, parent, cmds)
		return errHelpShown
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		full := strings.TrimSpace(parent + " " + c.name)
		if c.sub != nil {
			return dispatch(ctx, e, full, args[1:], c.sub)
		}
		return c.run(ctx, e, full, args[1:])
	}
	if strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%q comes before a command; commands are %s (flags follow the command: see scimd %s --help)",
			args[0], list, strings.TrimSpace(parent+" COMMAND"))
	}
	what := "command"
	if parent != "" {
		what = parent + " command"
	}
	return fmt.Errorf("unknown %s %q; commands are %s", what, args[0], list)
}

// usage lists cmds (with their subcommands) under parent.
func usage(w io.Writer, parent string, cmds []command) {
	if parent == "" {
		fmt.Fprintln(w, "scimd is a self-hosted SCIM 2.0 identity directory.")
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Usage: scimd %s\n\nCommands:\n", strings.TrimSpace(parent+" COMMAND [flags] [arguments]"))
	var walk func(prefix string, cs []command)
	walk = func(prefix string, cs []command) {
		for _, c := range cs {
			name := strings.TrimSpace(prefix + " " + c.name)
			if c.sub != nil {
				walk(name, c.sub)
				continue
			}
			fmt.Fprintf(w, "  %-15s %s\n", name, c.summary)
		}
	}
	walk(parent, cmds)
	fmt.Fprintf(w, "\nRun scimd %s --help for a command's flags.\n", strings.TrimSpace(parent+" COMMAND"))
}
