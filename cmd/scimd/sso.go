package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
	"github.com/scimd/scimd/sso/oidc"
	"github.com/scimd/scimd/sso/saml"
)

// ssoFlags are the flags every sso command has.
type ssoFlags struct {
	db     dbConfig
	key    keyConfig
	tenant string
}

func (f *ssoFlags) register(fs *flagSet, withKey bool) {
	fs.StringVar(&f.tenant, "tenant", "", "the tenant's `SLUG` (required)")
	f.db.register(fs)
	if withKey {
		f.key.register(fs)
	}
}

func (f *ssoFlags) check(cmd string) error {
	if f.tenant == "" {
		return fmt.Errorf("%s needs --tenant SLUG (see scimd %s --help)", cmd, cmd)
	}
	return validate(f.key.checks())
}

// defaultConnectionName names the connection set-oidc makes when given no
// --name.
const defaultConnectionName = "OIDC"

// connectionByName returns the tenant's connection named name (in any
// case), or nil.
func connectionByName(ctx context.Context, svc *directory.Service, t *directory.Tenant, name string) (*directory.Connection, error) {
	conns, err := svc.Connections(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		if strings.EqualFold(c.Name, name) {
			return c, nil
		}
	}
	return nil, nil
}

// ssoSetOIDCCmd creates the tenant's OIDC connection named --name, or
// changes the flags given of the one that exists.
func ssoSetOIDCCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f                                  ssoFlags
		name, issuer, clientID, secretFile string
		scopes, subjectClaim, emailClaim   string
		userNameClaim                      string
		enable, disable                    bool
	)
	fs := newFlagSet(cmd, "sso set-oidc --tenant SLUG --issuer URL --client-id ID --client-secret-file FILE [flags]")
	f.register(fs, true)
	fs.StringVar(&name, "name", defaultConnectionName, "the connection's `NAME`, shown on the sign-in page (\"Sign in with NAME\")")
	fs.StringVar(&issuer, "issuer", "", "the provider's issuer `URL`, exactly as its discovery document says (https://acme.okta.com, https://login.microsoftonline.com/TENANT-ID/v2.0)")
	fs.StringVar(&clientID, "client-id", "", "the client `ID` of scimd's app at the provider")
	fs.StringVar(&secretFile, "client-secret-file", "", "`FILE` holding the app's client secret (kept sealed; never shown again)")
	fs.StringVar(&scopes, "scopes", "", "`SCOPES` to ask for besides openid, space- or comma-separated (default \"email profile\")")
	fs.StringVar(&subjectClaim, "subject-claim", "", "the `CLAIM` holding the person's immutable id: sub (default), or oid for Entra ID")
	fs.StringVar(&emailClaim, "email-claim", "", "the `CLAIM` holding the email (default email)")
	fs.StringVar(&userNameClaim, "username-claim", "", "the `CLAIM` holding the userName (default preferred_username)")
	fs.BoolVar(&enable, "enable", false, "turn the connection on (a new one is on)")
	fs.BoolVar(&disable, "disable", false, "turn the connection off: nobody signs in through it, and its sessions end")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	if enable && disable {
		return fmt.Errorf("%s takes --enable or --disable, not both", cmd)
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var secret string
	if secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return fmt.Errorf("--client-secret-file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
		if secret == "" {
			return fmt.Errorf("--client-secret-file %s is empty", secretFile)
		}
	}
	keeper, source, created, err := f.key.keeper(f.db)
	if err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		existing, err := connectionByName(ctx, svc, t, name)
		if err != nil {
			return err
		}
		apply := func(c *directory.Connection) error {
			if c.OIDC == nil {
				c.OIDC = &directory.OIDCConfig{}
			}
			if given["issuer"] {
				c.OIDC.Issuer = issuer
			}
			if given["client-id"] {
				c.OIDC.ClientID = clientID
			}
			if given["scopes"] {
				c.OIDC.Scopes = strings.FieldsFunc(scopes, func(r rune) bool { return r == ',' || r == ' ' })
			}
			if given["subject-claim"] {
				c.OIDC.SubjectClaim = subjectClaim
			}
			if given["email-claim"] {
				c.OIDC.EmailClaim = emailClaim
			}
			if given["username-claim"] {
				c.OIDC.UserNameClaim = userNameClaim
			}
			if enable {
				c.Enabled = true
			}
			if disable {
				c.Enabled = false
			}
			if secret != "" {
				sealed, err := keeper.Seal([]byte(secret), c.SecretContext())
				if err != nil {
					return err
				}
				c.Secret = sealed
			}
			return nil
		}
		var c *directory.Connection
		verb := "updated"
		if existing == nil {
			if !given["issuer"] || !given["client-id"] || secret == "" {
				return fmt.Errorf("%s: tenant %s has no connection named %q yet; making one needs --issuer, --client-id and --client-secret-file", cmd, t.Slug, name)
			}
			c = &directory.Connection{ID: directory.NewID(), TenantID: t.ID, Kind: directory.KindOIDC, Name: name, Enabled: !disable}
			if err := apply(c); err != nil {
				return err
			}
			if c, err = svc.CreateConnection(ctx, directory.CLI, t.ID, c); err != nil {
				return err
			}
			verb = "created"
		} else {
			if existing.Kind != directory.KindOIDC {
				return fmt.Errorf("%s: the connection %q of tenant %s is %s, not OIDC", cmd, existing.Name, t.Slug, existing.Kind)
			}
			if c, err = svc.UpdateConnection(ctx, directory.CLI, t.ID, existing.ID, apply); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "%s OIDC connection %q (%s) of tenant %s\n", verb, c.Name, c.ID, t.Slug)
		printConnection(e, t, c, "")
		if created {
			fmt.Fprintf(e.stderr, "made a new key for stored secrets in %s; give serve the same key (it reads that file from the same data directory, or set SCIMD_SECRET_KEY everywhere)\n", source)
		}
		fmt.Fprintf(e.stderr, "check it with: scimd sso test --tenant %s --name %q\n", t.Slug, c.Name)
		return nil
	})
}

// printConnection prints a connection's settings, never its secret.
func printConnection(e *env, t *directory.Tenant, c *directory.Connection, base string) {
	state := "on"
	if !c.Enabled {
		state = "off"
	}
	fmt.Fprintf(e.stdout, "  %-16s %s\n", "kind:", c.Kind)
	fmt.Fprintf(e.stdout, "  %-16s %s\n", "state:", state)
	if o := c.OIDC; o != nil {
		secret := "not set"
		if c.Secret != nil {
			secret = "set"
		}
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "issuer:", cell(o.Issuer))
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "client id:", cell(o.ClientID))
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "client secret:", secret)
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "scopes:", strings.Join(o.AllScopes(), " "))
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "subject claim:", o.Subject())
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "email claim:", o.Email())
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "userName claim:", o.UserName())
	}
	if c.SAML != nil {
		printSAML(e, t, c, base)
	}
	redirect := "/t/" + t.Slug + "/sso/" + string(c.Kind) + "/callback"
	if base != "" {
		redirect = sso.CallbackURL(base, t.Slug, c.Kind, "callback")
	}
	if c.Kind == directory.KindOIDC {
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "redirect URI:", redirect)
	}
}

func ssoShowCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f    ssoFlags
		base string
	)
	fs := newFlagSet(cmd, "sso show --tenant SLUG [flags]")
	f.register(fs, false)
	fs.stringEnv(&base, "base-url", "SCIMD_BASE_URL", "", "public `URL` of scimd, to show full redirect URIs, entity ids and ACS URLs")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		s := t.Settings.SSO
		links := make([]string, 0, len(s.Links()))
		for _, m := range s.Links() {
			links = append(links, string(m))
		}
		fmt.Fprintf(e.stdout, "tenant %s sign-in\n", t.Slug)
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "enforced:", onOff(s.Enforced))
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "link by:", strings.Join(links, ", "))
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "just in time:", onOff(s.JIT))
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "JIT role:", s.NewUserRole())
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "IdP-initiated:", onOff(s.IdPInitiated))
		fmt.Fprintf(e.stdout, "  %-16s %s\n", "sign-in page:", strings.TrimRight(base, "/")+"/t/"+t.Slug+"/login")
		conns, err := svc.Connections(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, c := range conns {
			fmt.Fprintf(e.stdout, "connection %q (%s)\n", c.Name, c.ID)
			printConnection(e, t, c, base)
		}
		if len(conns) == 0 {
			fmt.Fprintf(e.stderr, "tenant %s has no sign-in connection; add one with: scimd sso set-oidc --tenant %s ... or scimd sso set-saml --tenant %s ...\n", t.Slug, t.Slug, t.Slug)
		}
		return nil
	})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseOnOff(cmd, what, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes":
		return true, nil
	case "off", "false", "no":
		return false, nil
	}
	return false, fmt.Errorf("%s: %s is on or off, not %q", cmd, what, truncate(v, 20))
}

func ssoEnforceCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f ssoFlags
	fs := newFlagSet(cmd, "sso enforce --tenant SLUG on|off [flags]")
	f.register(fs, false)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos, "on|off"); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	on, err := parseOnOff(cmd, "the argument", pos[0])
	if err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		if _, err := svc.SetSSOSettings(ctx, directory.CLI, t.ID, func(s *directory.SSOSettings) error { s.Enforced = on; return nil }); err != nil {
			return err
		}
		if on {
			fmt.Fprintf(e.stdout, "SSO is enforced for tenant %s: local passwords work only for break-glass accounts\n", t.Slug)
		} else {
			fmt.Fprintf(e.stdout, "SSO is not enforced for tenant %s\n", t.Slug)
		}
		return nil
	})
}

func ssoSettingsCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f                    ssoFlags
		linkBy, jit, jitRole string
		idpInitiated         string
	)
	fs := newFlagSet(cmd, "sso settings --tenant SLUG [--link-by LIST] [--jit on|off] [--jit-role ROLE] [flags]")
	f.register(fs, false)
	fs.StringVar(&linkBy, "link-by", "", "how a first sign-in finds its user, in order: a comma-separated `LIST` of externalId, userName, email")
	fs.StringVar(&jit, "jit", "", "`on` to make a user for a person who signs in and matches nobody (off by default)")
	fs.StringVar(&jitRole, "jit-role", "", "the `ROLE` of users made at sign-in: agent (default), collaborator or customer")
	fs.StringVar(&idpInitiated, "idp-initiated", "", "`on` to accept SAML sign-ins the IdP starts (off by default)")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var jitOn, idpOn bool
	if given["jit"] {
		if jitOn, err = parseOnOff(cmd, "--jit", jit); err != nil {
			return err
		}
	}
	if given["idp-initiated"] {
		if idpOn, err = parseOnOff(cmd, "--idp-initiated", idpInitiated); err != nil {
			return err
		}
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		s, err := svc.SetSSOSettings(ctx, directory.CLI, t.ID, func(s *directory.SSOSettings) error {
			if given["link-by"] {
				s.LinkBy = nil
				for _, m := range strings.FieldsFunc(linkBy, func(r rune) bool { return r == ',' || r == ' ' }) {
					s.LinkBy = append(s.LinkBy, directory.LinkMethod(m))
				}
			}
			if given["jit"] {
				s.JIT = jitOn
			}
			if given["jit-role"] {
				s.JITRole = directory.Role(jitRole)
			}
			if given["idp-initiated"] {
				s.IdPInitiated = idpOn
			}
			return nil
		})
		if err != nil {
			return err
		}
		links := make([]string, 0, 3)
		for _, m := range s.Links() {
			links = append(links, string(m))
		}
		fmt.Fprintf(e.stdout, "tenant %s: link by %s; just in time %s (role %s); IdP-initiated %s\n",
			t.Slug, strings.Join(links, ", "), onOff(s.JIT), s.NewUserRole(), onOff(s.IdPInitiated))
		return nil
	})
}

// ssoTestCmd checks the tenant's connections (or the one named) as
// sign-in will use them, and fails if any has a problem.
func ssoTestCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f          ssoFlags
		name, base string
	)
	fs := newFlagSet(cmd, "sso test --tenant SLUG [--name NAME] [flags]")
	f.register(fs, true)
	fs.StringVar(&name, "name", "", "test only the connection named `NAME`")
	fs.stringEnv(&base, "base-url", "SCIMD_BASE_URL", "", "public `URL` of scimd, to show SAML entity ids and ACS URLs in full")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	keeper, _, _, err := f.key.keeper(f.db)
	if err != nil {
		return err
	}
	conn := oidc.New(keeper, nil, e.now)
	samlConn := saml.New(saml.Config{Secrets: keeper, BaseURL: base, Now: e.now})
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		conns, err := svc.Connections(ctx, t.ID)
		if err != nil {
			return err
		}
		problems, tested := 0, 0
		for _, c := range conns {
			if name != "" && !strings.EqualFold(c.Name, name) {
				continue
			}
			switch c.Kind {
			case directory.KindOIDC:
				tested++
				fmt.Fprintf(e.stdout, "connection %q (%s, %s)\n", c.Name, c.Kind, c.OIDC.Issuer)
				for _, fd := range conn.Check(ctx, c) {
					fmt.Fprintf(e.stdout, "  %-8s %s\n", fd.Level, fd.Message)
					if fd.Level == oidc.Problem {
						problems++
					}
				}
			case directory.KindSAML:
				tested++
				fmt.Fprintf(e.stdout, "connection %q (%s, %s)\n", c.Name, c.Kind, samlSource(c))
				problems += testSAML(ctx, e, samlConn, t, c)
			}
		}
		switch {
		case tested == 0 && name != "":
			return &notFoundError{fmt.Sprintf("tenant %s has no connection named %q (scimd sso show --tenant %s lists them)", t.Slug, name, t.Slug)}
		case tested == 0:
			return &notFoundError{fmt.Sprintf("tenant %s has no connection to test; add one with scimd sso set-oidc or scimd sso set-saml", t.Slug)}
		case problems == 1:
			return fmt.Errorf("found 1 problem; sign-in through it won't work until it is fixed")
		case problems > 1:
			return fmt.Errorf("found %d problems; sign-in won't work until they are fixed", problems)
		}
		return nil
	})
}

func ssoDeleteCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f    ssoFlags
		name string
	)
	fs := newFlagSet(cmd, "sso delete --tenant SLUG --name NAME [flags]")
	f.register(fs, false)
	fs.StringVar(&name, "name", "", "the `NAME` of the connection to delete (required)")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	if name == "" {
		return fmt.Errorf("%s needs --name NAME (see scimd %s --help)", cmd, cmd)
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		c, err := connectionByName(ctx, svc, t, name)
		if err != nil {
			return err
		}
		if c == nil {
			return &notFoundError{fmt.Sprintf("tenant %s has no connection named %q (scimd sso show --tenant %s lists them)", t.Slug, name, t.Slug)}
		}
		if err := svc.DeleteConnection(ctx, directory.CLI, t.ID, c.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "deleted connection %q of tenant %s; its links are gone and its sessions ended\n", c.Name, t.Slug)
		return nil
	})
}
