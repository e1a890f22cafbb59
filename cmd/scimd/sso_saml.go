package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
	"github.com/scimd/scimd/sso/saml"
)

// defaultSAMLName names the connection set-saml makes when given no
// --name.
const defaultSAMLName = "SAML"

// ssoSetSAMLCmd creates the tenant's SAML connection named --name, with
// scimd's key pair for it, or changes the flags given of the one that
// exists. The IdP's metadata is read and checked before anything is
// saved. It prints what to give the IdP: scimd's entity id, ACS URL and
// metadata URL.
func ssoSetSAMLCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f                                ssoFlags
		base, name, metadataURL, mdFile  string
		subjectAttr, emailAttr, userAttr string
		nameIDFormat                     string
		enable, disable, newKey          bool
	)
	fs := newFlagSet(cmd, "sso set-saml --tenant SLUG (--metadata-url URL | --metadata-file FILE) [flags]")
	f.register(fs, true)
	fs.stringEnv(&base, "base-url", "SCIMD_BASE_URL", "", "public `URL` of scimd (https://id.example.com); scimd's entity id and ACS URL for the IdP are built from it (required)")
	fs.StringVar(&name, "name", defaultSAMLName, "the connection's `NAME`, shown on the sign-in page (\"Sign in with NAME\")")
	fs.StringVar(&metadataURL, "metadata-url", "", "the `URL` where the IdP publishes its SAML metadata (Okta's \"Metadata URL\", Entra's \"App Federation Metadata Url\"); read now, and again when due")
	fs.StringVar(&mdFile, "metadata-file", "", "`FILE` holding the IdP's SAML metadata XML, when it has no URL")
	fs.StringVar(&subjectAttr, "subject-attribute", "", "the `ATTRIBUTE` holding the person's immutable id, such as "+directory.AttrEntraObjectID+" for Entra ID; default: the NameID")
	fs.StringVar(&emailAttr, "email-attribute", "", "the `ATTRIBUTE` holding the email (default: email, mail, Entra's emailaddress claim)")
	fs.StringVar(&userAttr, "username-attribute", "", "the `ATTRIBUTE` holding the userName (default: userName, login, uid, Entra's name claim)")
	fs.StringVar(&nameIDFormat, "nameid-format", "", "the NameID `FORMAT` asked for and accepted as the person's id: persistent, emailAddress, unspecified or transient (default: persistent, emailAddress or unspecified)")
	fs.BoolVar(&enable, "enable", false, "turn the connection on (a new one with metadata is on)")
	fs.BoolVar(&disable, "disable", false, "turn the connection off: nobody signs in through it, and its sessions end")
	fs.BoolVar(&newKey, "new-key", false, "make scimd a new key pair for this connection; give the IdP scimd's new metadata afterwards")
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
	u, uerr := url.Parse(base)
	var checks []check
	checks = append(checks,
		check{base == "", fmt.Sprintf("%s needs --base-url (or SCIMD_BASE_URL), scimd's public URL: the IdP knows scimd by the entity id and ACS URL built from it", cmd)},
		check{base != "" && (uerr != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http"), fmt.Sprintf("--base-url %q is not an absolute http(s) URL", truncate(base, 80))},
		check{metadataURL != "" && mdFile != "", fmt.Sprintf("%s takes --metadata-url or --metadata-file, not both", cmd)},
		check{enable && disable, fmt.Sprintf("%s takes --enable or --disable, not both", cmd)},
	)
	if err := validate(checks); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var fileDoc, loaded string
	if mdFile != "" {
		b, err := os.ReadFile(mdFile)
		if err != nil {
			return fmt.Errorf("--metadata-file: %w", err)
		}
		fileDoc = string(b)
	}
	keeper, source, created, err := f.key.keeper(f.db)
	if err != nil {
		return err
	}
	conn := saml.New(saml.Config{Secrets: keeper, BaseURL: base, Now: e.now})
	// The metadata is read before the database is touched: a URL that
	// does not answer, or a document that is not an IdP's, changes
	// nothing.
	if metadataURL != "" || mdFile != "" {
		doc, idp, err := conn.LoadMetadata(ctx, metadataURL, fileDoc)
		if err != nil {
			flagName := "--metadata-file " + mdFile
			if metadataURL != "" {
				flagName = "--metadata-url " + metadataURL
			}
			return fmt.Errorf("%s: %w", flagName, err)
		}
		loaded = doc
		if expired := expiredCertificates(idp, e.now()); expired != "" {
			fmt.Fprintf(e.stderr, "warning: %s; scimd sso test --tenant %s says more\n", expired, f.tenant)
		}
	}
	hasMetadata := loaded != ""
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		existing, err := connectionByName(ctx, svc, t, name)
		if err != nil {
			return err
		}
		id := directory.NewID()
		if existing != nil {
			if existing.Kind != directory.KindSAML {
				return fmt.Errorf("%s: the connection %q of tenant %s is %s, not SAML", cmd, existing.Name, t.Slug, existing.Kind)
			}
			id = existing.ID
		}
		// The key pair is made before the transaction that saves it.
		var keys *directory.Connection
		if existing == nil || newKey {
			keys = &directory.Connection{ID: id, TenantID: t.ID, Kind: directory.KindSAML}
			if err := conn.NewKeyPair(keys); err != nil {
				return err
			}
		}
		apply := func(c *directory.Connection) error {
			if c.SAML == nil {
				c.SAML = &directory.SAMLConfig{}
			}
			s := c.SAML
			if hasMetadata {
				s.MetadataURL, s.Metadata, s.MetadataFetched = metadataURL, loaded, nil
				if metadataURL != "" {
					at := e.now().UTC()
					s.MetadataFetched = &at
				}
			}
			for _, a := range []struct {
				flag string
				dst  *string
				v    string
			}{
				{"subject-attribute", &s.SubjectAttribute, subjectAttr},
				{"email-attribute", &s.EmailAttribute, emailAttr},
				{"username-attribute", &s.UserNameAttribute, userAttr},
				{"nameid-format", &s.NameIDFormat, nameIDFormat},
			} {
				if given[a.flag] {
					*a.dst = a.v
				}
			}
			if keys != nil {
				c.Secret, s.SPCertificate = keys.Secret, keys.SAML.SPCertificate
			}
			if enable {
				c.Enabled = true
			}
			if disable {
				c.Enabled = false
			}
			return nil
		}
		var c *directory.Connection
		verb := "updated"
		if existing == nil {
			c = &directory.Connection{ID: id, TenantID: t.ID, Kind: directory.KindSAML, Name: name, Enabled: hasMetadata && !disable}
			if err := apply(c); err != nil {
				return err
			}
			if c, err = svc.CreateConnection(ctx, directory.CLI, t.ID, c); err != nil {
				return err
			}
			verb = "created"
		} else if c, err = svc.UpdateConnection(ctx, directory.CLI, t.ID, existing.ID, apply); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s SAML connection %q (%s) of tenant %s\n", verb, c.Name, c.ID, t.Slug)
		printConnection(e, t, c, base)
		if created {
			fmt.Fprintf(e.stderr, "made a new key for stored secrets in %s; give serve the same key (it reads that file from the same data directory, or set SCIMD_SECRET_KEY everywhere)\n", source)
		}
		switch {
		case c.SAML.Metadata == "" && c.SAML.MetadataURL == "":
			fmt.Fprintf(e.stderr, "the connection is off until it has the IdP's metadata: register scimd at the IdP with the entity id and ACS URL above, then run scimd sso set-saml --tenant %s --name %q --metadata-url URL (or --metadata-file FILE) --enable\n", t.Slug, c.Name)
		case keys != nil && existing != nil:
			fmt.Fprintf(e.stderr, "scimd has a new key pair for this connection: give the IdP scimd's metadata again (%s)\n", conn.MetadataURL(t, c))
		}
		fmt.Fprintf(e.stderr, "check it with: scimd sso test --tenant %s --name %q\n", t.Slug, c.Name)
		return nil
	})
}

// printSAML prints a SAML connection's settings: the IdP as its metadata
// describes it, and what the IdP must know of scimd. base "" prints
// scimd's URLs as paths.
func printSAML(e *env, t *directory.Tenant, c *directory.Connection, base string) {
	s := c.SAML
	line := func(label, format string, args ...any) {
		fmt.Fprintf(e.stdout, "  %-16s %s\n", label+":", fmt.Sprintf(format, args...))
	}
	switch {
	case s.MetadataURL != "" && s.MetadataFetched != nil:
		line("IdP metadata", "%s (read %s)", s.MetadataURL, s.MetadataFetched.Format("2006-01-02 15:04 MST"))
	case s.MetadataURL != "":
		line("IdP metadata", "%s (not read yet)", s.MetadataURL)
	case s.Metadata != "":
		line("IdP metadata", "uploaded")
	default:
		line("IdP metadata", "none yet")
	}
	if s.Metadata != "" {
		p, err := saml.ReadMetadata(s.Metadata)
		if err != nil {
			line("IdP", "the metadata can't be used: %s", err)
		} else {
			line("IdP", "%s", cell(p.EntityID))
			line("IdP sign-in URL", "%s", cell(p.SSOURL))
			if !p.ValidUntil.IsZero() {
				line("metadata until", "%s", p.ValidUntil.UTC().Format("2006-01-02 15:04 MST"))
			}
			now := e.now()
			for _, cert := range p.Certificates {
				state := ""
				if now.After(cert.NotAfter) {
					state = " EXPIRED: nobody can sign in until the IdP's new metadata is set"
				}
				line("IdP certificate", "%s, valid until %s%s", cell(cert.Subject.CommonName), cert.NotAfter.UTC().Format("2006-01-02"), state)
			}
		}
	}
	switch {
	case s.SubjectAttribute != "":
		line("person's id", "the attribute %s", s.SubjectAttribute)
	case s.NameIDFormat != "":
		line("person's id", "the NameID (%s)", s.NameIDFormat)
	default:
		line("person's id", "the NameID (persistent, emailAddress or unspecified)")
	}
	if s.EmailAttribute != "" {
		line("email attr", "%s", s.EmailAttribute)
	}
	if s.UserNameAttribute != "" {
		line("userName attr", "%s", s.UserNameAttribute)
	}
	sp := saml.New(saml.Config{BaseURL: base}).ServiceProvider(t, c)
	line("entity id", "%s  (Okta: Audience URI; Entra: Identifier)", sp.EntityID)
	line("ACS URL", "%s  (Okta: Single sign-on URL; Entra: Reply URL)", sp.ACSURL)
	line("SP metadata", "%s", sp.MetadataURL)
	if !sp.CertificateNotAfter.IsZero() {
		line("SP certificate", "valid until %s", sp.CertificateNotAfter.UTC().Format("2006-01-02"))
	} else {
		line("SP certificate", "none; make one with scimd sso set-saml --new-key")
	}
}

// testSAML checks a SAML connection for sso test.
func testSAML(ctx context.Context, e *env, conn *saml.Connector, t *directory.Tenant, c *directory.Connection) int {
	problems := 0
	for _, fd := range conn.Check(ctx, t, c) {
		fmt.Fprintf(e.stdout, "  %-8s %s\n", fd.Level, fd.Message)
		if fd.Level == sso.Problem {
			problems++
		}
	}
	return problems
}

// samlSource names where a connection's IdP metadata comes from.
func samlSource(c *directory.Connection) string {
	if c.SAML == nil {
		return "no metadata"
	}
	if c.SAML.MetadataURL != "" {
		return c.SAML.MetadataURL
	}
	if strings.TrimSpace(c.SAML.Metadata) != "" {
		return "uploaded metadata"
	}
	return "no metadata yet"
}

// expiredCertificates says when every signing certificate of the IdP has
// expired, or "".
func expiredCertificates(p *saml.IdP, now time.Time) string {
	var last time.Time
	for _, c := range p.Certificates {
		if !now.After(c.NotAfter) {
			return ""
		}
		if c.NotAfter.After(last) {
			last = c.NotAfter
		}
	}
	return "the IdP's signing certificate expired on " + last.UTC().Format("2006-01-02") + ": nobody can sign in through this connection until the IdP signs with a new one and scimd has its new metadata"
}
