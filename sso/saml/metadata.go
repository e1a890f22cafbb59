package saml

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/crewjam/saml"
	xrv "github.com/mattermost/xml-roundtrip-validator"
)

// Metadata refresh bounds. An IdP's metadata says how long a copy is good
// for (validUntil, cacheDuration, SAML 2.0 metadata section 2.2); one that
// says nothing is read again daily, and none more often than every few
// minutes, whatever it asks.
const (
	defaultRefresh = 24 * time.Hour
	minRefresh     = 5 * time.Minute
	// maxMetadataSize bounds a metadata document read from a URL.
	maxMetadataSize = 512 << 10
	fetchTimeout    = 15 * time.Second
)

// idp is an identity provider as its metadata describes it.
type idp struct {
	entity *saml.EntityDescriptor
	// validUntil is the earliest validUntil in the document (zero: none).
	validUntil time.Time
	// cacheDuration is the shortest cacheDuration in it (zero: none).
	cacheDuration time.Duration
	// certs are the certificates the IdP signs with.
	certs []*x509.Certificate
}

// parseMetadata reads an IdP's metadata: an EntityDescriptor with an
// IDPSSODescriptor, or an EntitiesDescriptor holding exactly one. Its
// errors are sentences for an operator.
func parseMetadata(doc string) (*idp, error) {
	b := []byte(strings.TrimSpace(doc))
	if len(b) == 0 {
		return nil, errors.New("the metadata is empty")
	}
	// The same guard crewjam puts before parsing a response: XML that
	// does not survive a round trip through encoding/xml is refused.
	if err := xrv.Validate(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("the metadata is not well-formed XML (%s)", oneLine(err.Error()))
	}
	out := &idp{}
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("the metadata is not XML (%s)", oneLine(err.Error()))
	}
	const mdNS = "urn:oasis:names:tc:SAML:2.0:metadata"
	switch root.XMLName {
	case xml.Name{Space: mdNS, Local: "EntityDescriptor"}:
		var ed saml.EntityDescriptor
		if err := xml.Unmarshal(b, &ed); err != nil {
			return nil, fmt.Errorf("the metadata's EntityDescriptor can't be read (%s)", oneLine(err.Error()))
		}
		out.entity = &ed
	case xml.Name{Space: mdNS, Local: "EntitiesDescriptor"}:
		var es saml.EntitiesDescriptor
		if err := xml.Unmarshal(b, &es); err != nil {
			return nil, fmt.Errorf("the metadata's EntitiesDescriptor can't be read (%s)", oneLine(err.Error()))
		}
		var found []saml.EntityDescriptor
		for _, ed := range es.EntityDescriptors {
			if len(ed.IDPSSODescriptors) > 0 {
				found = append(found, ed)
			}
		}
		if len(es.EntitiesDescriptors) > 0 || len(found) != 1 {
			return nil, fmt.Errorf("the metadata describes %d identity providers; give the metadata of the one scimd connects to", len(found)+len(es.EntitiesDescriptors))
		}
		out.entity = &found[0]
		if es.ValidUntil != nil {
			out.validUntil = *es.ValidUntil
		}
		if es.CacheDuration != nil {
			out.cacheDuration = *es.CacheDuration
		}
	default:
		return nil, fmt.Errorf("the document is a %s, not SAML metadata (an EntityDescriptor)", root.XMLName.Local)
	}
	ed := out.entity
	if ed.EntityID == "" {
		return nil, errors.New("the metadata names no entityID")
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return nil, fmt.Errorf("the metadata of %s describes no identity provider (no IDPSSODescriptor): is it a service provider's?", ed.EntityID)
	}
	out.validUntil = earliest(out.validUntil, ed.ValidUntil)
	out.cacheDuration = shortest(out.cacheDuration, ed.CacheDuration)
	for _, d := range ed.IDPSSODescriptors {
		if d.ValidUntil != nil {
			out.validUntil = earliest(out.validUntil, *d.ValidUntil)
		}
		out.cacheDuration = shortest(out.cacheDuration, d.CacheDuration)
		for _, k := range d.KeyDescriptors {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.KeyInfo.X509Data.X509Certificates {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Data), ""))
				if err != nil {
					return nil, fmt.Errorf("a signing certificate in the metadata of %s is not base64", ed.EntityID)
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return nil, fmt.Errorf("a signing certificate in the metadata of %s can't be read (%s)", ed.EntityID, oneLine(err.Error()))
				}
				out.certs = append(out.certs, cert)
			}
		}
	}
	if len(out.certs) == 0 {
		return nil, fmt.Errorf("the metadata of %s has no signing certificate, so no answer from it could be verified", ed.EntityID)
	}
	if ssoURL(ed) == "" {
		return nil, fmt.Errorf("the metadata of %s has no SingleSignOnService with the HTTP-Redirect binding, which scimd sends sign-in requests with", ed.EntityID)
	}
	return out, nil
}

// ssoURL is where the IdP takes AuthnRequests by HTTP-Redirect.
func ssoURL(ed *saml.EntityDescriptor) string {
	for _, d := range ed.IDPSSODescriptors {
		for _, s := range d.SingleSignOnServices {
			if s.Binding == saml.HTTPRedirectBinding && s.Location != "" {
				return s.Location
			}
		}
	}
	return ""
}

// expired reports whether the metadata is past its validUntil at now.
func (p *idp) expired(now time.Time) bool {
	return !p.validUntil.IsZero() && !now.Before(p.validUntil)
}

// refreshAt is when a copy read at fetched is due to be read again.
func (p *idp) refreshAt(fetched time.Time) time.Time {
	every := defaultRefresh
	if p.cacheDuration > 0 {
		every = min(p.cacheDuration, defaultRefresh)
	}
	at := fetched.Add(max(every, minRefresh))
	if !p.validUntil.IsZero() && p.validUntil.Before(at) {
		// Before it lapses, not at that instant.
		at = p.validUntil.Add(-time.Hour)
		if floor := fetched.Add(minRefresh); at.Before(floor) {
			at = floor
		}
	}
	return at
}

// certStatus says whether the IdP can sign anything scimd accepts at now:
// how many of its signing certificates are valid, and the one that expired
// last among the rest.
func (p *idp) certStatus(now time.Time) (valid int, lastExpired *x509.Certificate) {
	for _, c := range p.certs {
		switch {
		case now.After(c.NotAfter):
			if lastExpired == nil || c.NotAfter.After(lastExpired.NotAfter) {
				lastExpired = c
			}
		case !now.Before(c.NotBefore):
			valid++
		}
	}
	return valid, lastExpired
}

// fetchMetadata reads the document at u.
func fetchMetadata(ctx context.Context, client *http.Client, u string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL", u)
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s is unreachable: %s", u, oneLine(err.Error()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered HTTP %d, not 200", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataSize+1))
	if err != nil {
		return "", fmt.Errorf("the answer of %s could not be read: %s", u, oneLine(err.Error()))
	}
	if len(body) > maxMetadataSize {
		return "", fmt.Errorf("%s answered with more than %d kB, which is not one IdP's metadata", u, maxMetadataSize>>10)
	}
	return string(body), nil
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func shortest(a, b time.Duration) time.Duration {
	if a <= 0 || b > 0 && b < a {
		return b
	}
	return a
}
