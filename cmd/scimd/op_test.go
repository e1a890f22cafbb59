package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// testOP is a real OpenID provider, zitadel/oidc's op package, running in
// the test: discovery, keys, authorization with PKCE, code exchange with a
// client secret, ID tokens with the nonce. Its login step signs in
// whichever person the test chose (who), with no form.
type testOP struct {
	t        *testing.T
	srv      *httptest.Server
	provider *op.Provider
	store    *opStorage
}

// opPerson is someone at the provider.
type opPerson struct {
	Subject, Email, UserName, Name string
	EmailVerified                  bool
}

func newTestOP(t *testing.T, clientID, secret string) *testOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	st := &opStorage{key: key, kid: "op-key-1", requests: map[string]*opRequest{}, codes: map[string]string{},
		people: map[string]opPerson{}, client: &opClient{id: clientID, secret: secret}}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	st.client.loginURL = srv.URL + "/login"
	var cryptoKey [32]byte
	rand.Read(cryptoKey[:])
	p, err := op.NewProvider(&op.Config{CryptoKey: cryptoKey, CodeMethodS256: true, AuthMethodPost: true},
		st, op.StaticIssuer(srv.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	o := &testOP{t: t, srv: srv, provider: p, store: st}
	// Login: the person the test chose signs in at once.
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		if err := st.signIn(id); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, srv.URL+"/authorize/callback?id="+id, http.StatusFound)
	})
	mux.Handle("/", p)
	return o
}

func (o *testOP) issuer() string { return o.srv.URL }

// who chooses the person the next logins sign in as.
func (o *testOP) who(p opPerson) {
	o.store.mu.Lock()
	defer o.store.mu.Unlock()
	o.store.people[p.Subject] = p
	o.store.current = p.Subject
}

// opStorage is the provider's storage: in memory, just what the
// authorization code flow needs.
type opStorage struct {
	mu  sync.Mutex
	key *rsa.PrivateKey
	kid string
	// signKey, when set, signs ID tokens instead of key, and is not in
	// the key set: a provider whose keys are wrong.
	signKey  *rsa.PrivateKey
	client   *opClient
	requests map[string]*opRequest // by id
	codes    map[string]string     // code → request id
	people   map[string]opPerson
	current  string
}

var errOPNotFound = errors.New("not found")

func (s *opStorage) signIn(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok || s.current == "" {
		return errOPNotFound
	}
	r.subject, r.done, r.authTime = s.current, true, time.Now()
	return nil
}

func (s *opStorage) CreateAuthRequest(_ context.Context, ar *zoidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &opRequest{id: rand.Text(), req: *ar}
	s.requests[r.id] = r
	return r, nil
}

func (s *opStorage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[id]; ok {
		return r, nil
	}
	return nil, errOPNotFound
}

func (s *opStorage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[s.codes[code]]; ok {
		return r, nil
	}
	return nil, errOPNotFound
}

func (s *opStorage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest forgets the request and its code: a code works once.
func (s *opStorage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *opStorage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return rand.Text(), time.Now().Add(5 * time.Minute), nil
}

func (s *opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("no refresh tokens")
}

func (s *opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *opStorage) TerminateSession(context.Context, string, string) error { return nil }

func (s *opStorage) RevokeToken(context.Context, string, string, string) *zoidc.Error { return nil }

func (s *opStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type opKey struct {
	key *rsa.PrivateKey
	kid string
}

func (k opKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k opKey) Use() string                                 { return "sig" }
func (k opKey) ID() string                                  { return k.kid }

type opSigningKey struct{ opKey }

func (k opSigningKey) Key() any { return k.key }

type opPublicKey struct{ opKey }

func (k opPublicKey) Key() any { return &k.key.PublicKey }

func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signKey != nil {
		return opSigningKey{opKey{s.signKey, s.kid}}, nil
	}
	return opSigningKey{opKey{s.key, s.kid}}, nil
}

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{opPublicKey{opKey{s.key, s.kid}}}, nil
}

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, errOPNotFound
	}
	return s.client, nil
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || secret != s.client.secret {
		return errors.New("wrong client credentials")
	}
	return nil
}

// SetUserinfoFromScopes puts the person's claims in the ID token, as the
// scopes allow.
func (s *opStorage) SetUserinfoFromScopes(_ context.Context, ui *zoidc.UserInfo, subject, _ string, scopes []string) error {
	s.mu.Lock()
	p, ok := s.people[subject]
	s.mu.Unlock()
	if !ok {
		return errOPNotFound
	}
	ui.Subject = subject
	if slices.Contains(scopes, zoidc.ScopeEmail) {
		ui.Email, ui.EmailVerified = p.Email, zoidc.Bool(p.EmailVerified)
	}
	if slices.Contains(scopes, zoidc.ScopeProfile) {
		ui.PreferredUsername, ui.Name = p.UserName, p.Name
	}
	return nil
}

func (s *opStorage) SetUserinfoFromToken(context.Context, *zoidc.UserInfo, string, string, string) error {
	return nil
}

func (s *opStorage) SetIntrospectionFromToken(context.Context, *zoidc.IntrospectionResponse, string, string, string) error {
	return nil
}

func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errOPNotFound
}

func (s *opStorage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *opStorage) Health(context.Context) error { return nil }

// opRequest is an authorization request.
type opRequest struct {
	id       string
	req      zoidc.AuthRequest
	subject  string
	done     bool
	authTime time.Time
}

func (r *opRequest) GetID() string          { return r.id }
func (r *opRequest) GetACR() string         { return "" }
func (r *opRequest) GetAMR() []string       { return []string{"pwd"} }
func (r *opRequest) GetAudience() []string  { return []string{r.req.ClientID} }
func (r *opRequest) GetAuthTime() time.Time { return r.authTime }
func (r *opRequest) GetClientID() string    { return r.req.ClientID }
func (r *opRequest) GetCodeChallenge() *zoidc.CodeChallenge {
	if r.req.CodeChallenge == "" {
		return nil
	}
	return &zoidc.CodeChallenge{Challenge: r.req.CodeChallenge, Method: r.req.CodeChallengeMethod}
}
func (r *opRequest) GetNonce() string                    { return r.req.Nonce }
func (r *opRequest) GetRedirectURI() string              { return r.req.RedirectURI }
func (r *opRequest) GetResponseType() zoidc.ResponseType { return r.req.ResponseType }
func (r *opRequest) GetResponseMode() zoidc.ResponseMode { return r.req.ResponseMode }
func (r *opRequest) GetScopes() []string                 { return r.req.Scopes }
func (r *opRequest) GetState() string                    { return r.req.State }
func (r *opRequest) GetSubject() string                  { return r.subject }
func (r *opRequest) Done() bool                          { return r.done }

// opClient is scimd's app at the provider: a web client with a secret,
// any redirect URI (the tests' servers listen on random ports).
type opClient struct {
	id, secret, loginURL string
}

func (c *opClient) GetID() string          { return c.id }
func (c *opClient) RedirectURIs() []string { return nil }
func (c *opClient) RedirectURIGlobs() []string {
	return []string{"http://127.0.0.1:*/t/*/sso/oidc/callback"}
}
func (c *opClient) PostLogoutRedirectURIs() []string     { return nil }
func (c *opClient) PostLogoutRedirectURIGlobs() []string { return nil }
func (c *opClient) ApplicationType() op.ApplicationType  { return op.ApplicationTypeWeb }
func (c *opClient) AuthMethod() zoidc.AuthMethod         { return zoidc.AuthMethodBasic }
func (c *opClient) ResponseTypes() []zoidc.ResponseType {
	return []zoidc.ResponseType{zoidc.ResponseTypeCode}
}
func (c *opClient) GrantTypes() []zoidc.GrantType        { return []zoidc.GrantType{zoidc.GrantTypeCode} }
func (c *opClient) LoginURL(id string) string            { return c.loginURL + "?authRequestID=" + id }
func (c *opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *opClient) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c *opClient) DevMode() bool                        { return true }
func (c *opClient) IsScopeAllowed(string) bool           { return false }
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *opClient) ClockSkew() time.Duration             { return 0 }
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
