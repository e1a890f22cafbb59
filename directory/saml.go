package directory

import (
	"context"
	"errors"
	"time"
)

// Reasons a SAML sign-in is refused for that the directory decides or
// names for the connector.
const (
	// ReasonReplayed refuses an assertion that was accepted once already.
	ReasonReplayed SignInReason = "replayed"
	// ReasonIdPCertExpired refuses every sign-in through a connection
	// whose IdP signs with certificates that have all expired: the
	// classic SAML lockout, repaired with new metadata or break-glass.
	ReasonIdPCertExpired SignInReason = "idp_certificate_expired"
)

// maxAssertionID bounds an assertion's ID: an xs:ID from an IdP is tens of
// characters (Entra "_" and a UUID, Okta "id" and digits).
const maxAssertionID = 256

// maxReplayWindow bounds how long an assertion id is kept: an assertion
// valid for longer than this is refused by the connector anyway (it
// checks IssueInstant), so keeping its id longer protects nothing.
const maxReplayWindow = 24 * time.Hour

// UseAssertion accepts the SAML assertion id from conn's IdP once: the
// first use records it until expires (the assertion's NotOnOrAfter plus
// the allowed clock skew, at most a day), and any later use before then,
// on any replica, is refused with a *SignInError of ReasonReplayed. The
// check and the record are one statement, so two replicas given the same
// assertion at the same instant accept it once. An id that is empty or
// too long is refused with ReasonReplayed too: it can't be kept.
func (s *Service) UseAssertion(ctx context.Context, tenant int64, conn *Connection, id string, expires time.Time) error {
	if id == "" || len(id) > maxAssertionID {
		return refuse(ReasonReplayed, "", "the assertion from %s has no usable ID, so scimd can't make sure it is used only once", conn.Name)
	}
	now := s.clock()
	if limit := now.Add(maxReplayWindow); expires.After(limit) {
		expires = limit
	}
	if !expires.After(now) {
		expires = now.Add(time.Minute)
	}
	var first bool
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		first, err = tx.UseAssertion(ctx, tenant, conn.ID, id, now, expires)
		return err
	})
	if err != nil {
		return err
	}
	if !first {
		return refuse(ReasonReplayed, "", "this answer from %s was used to sign in already: an answer works once; start again from the sign-in page", conn.Name)
	}
	return nil
}

// RefreshSAMLMetadata saves the IdP metadata doc that a SAML connection's
// connector has just read from the connection's metadata URL, as of
// fetched. The connection keeps its update time; a document that differs
// from the one kept is written to the audit log (by scimd itself). When
// the connection changed meanwhile (another URL, no longer SAML), it saves
// nothing and returns the connection as it is. It returns ErrNotFound.
func (s *Service) RefreshSAMLMetadata(ctx context.Context, tenant int64, id, metadataURL, doc string, fetched time.Time) (*Connection, error) {
	var out *Connection
	err := s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.ConnectionForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		out = c
		if c.Kind != KindSAML || c.SAML == nil || c.SAML.MetadataURL != metadataURL {
			return nil
		}
		next := c.clone()
		next.SAML.Metadata = doc
		at := fetched.UTC()
		next.SAML.MetadataFetched = &at
		if err := normalizeConnection(next); err != nil {
			return err
		}
		if err := tx.UpdateConnection(ctx, next); err != nil {
			return err
		}
		out = next
		if next.SAML.Metadata == c.SAML.Metadata {
			return nil
		}
		return tx.InsertAudit(ctx, s.event(System, tenant, "sso.connection.metadata", "connection", c.ID, c.Name,
			[]Change{{Field: "saml.metadata", Before: "set", After: "refreshed from " + metadataURL}}))
	})
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNotFound
	}
	return out, err
}
