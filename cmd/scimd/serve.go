package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/admin/console"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/sso"
	"github.com/scimd/scimd/sso/oidc"
	"github.com/scimd/scimd/sso/saml"
)

const (
	// shutdownGrace bounds how long requests in flight may finish after
	// SIGTERM: under Kubernetes' default 30 s grace, with time left to
	// flush token use and close the database.
	shutdownGrace = 25 * time.Second
	// flushEvery is how often token last-used times are written: SCIM
	// authentication itself never writes.
	flushEvery = time.Minute
	// probeTimeout bounds each database question /readyz asks.
	probeTimeout = 2 * time.Second
	// sweepEvery is how often expired pending sign-ins and old sessions
	// are deleted.
	sweepEvery = 5 * time.Minute
)

// signInConfig is what the sign-in routes need besides the directory.
type signInConfig struct {
	keeper   secretbox.Keeper
	sessions directory.SessionPolicy
	now      func() time.Time
	// client talks to identity providers; nil for the default.
	client *http.Client
	// proxies are the trusted load balancers (--trusted-proxies).
	proxies []netip.Prefix
	// alerts raises break-glass alarms; nil makes one with the default
	// back-off, closed with the handlers.
	alerts *sso.Alerter
	// scimRate is each SCIM token's limit in requests per second; 0 for
	// none (--scim-rate-limit).
	scimRate int
}

// serveCmd serves HTTP until ctx ends (SIGTERM or SIGINT), then shuts down
// gracefully: in-flight requests finish, token use is flushed, the
// database is closed.
func serveCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var c serveConfig
	fs := newFlagSet(cmd, "serve [flags]")
	c.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	log := slog.New(httpx.LogHandler(slog.NewJSONHandler(e.stderr, nil)))

	st, applied, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		st.Close()
		return fmt.Errorf("--addr %s: %w", c.Addr, err)
	}
	base := c.BaseURL
	if base == "" {
		base = defaultBaseURL(ln.Addr())
	}
	keeper, keySource, created, err := c.Key.keeper(c.DB)
	if err != nil {
		ln.Close()
		st.Close()
		return err
	}
	logKey(log, c.DB, keySource, created)
	if u, _ := url.Parse(base); u != nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		log.Warn("the base URL is plain http: browsers drop the Secure session cookie, so signing in works only behind https; set --base-url https://...", "base_url", base)
	}
	svc := directory.NewService(st, e.now)
	h, closeHandlers, err := handler(svc, st, log, base, signInConfig{keeper: keeper, sessions: c.Sessions.policy(), now: e.now, proxies: c.Proxies.prefixes(), scimRate: c.Limits.rate()})
	if err != nil {
		ln.Close()
		st.Close()
		return err
	}
	log.Info("scimd serving", "addr", ln.Addr().String(), "base_url", base,
		"database", c.DB.resolve().String(), "migrations_applied", applied)
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}

	stopLog := context.AfterFunc(ctx, func() {
		log.Info("scimd shutting down: finishing requests in flight", "grace", shutdownGrace.String())
	})
	defer stopLog()
	flushCtx, stopFlush := context.WithCancel(context.WithoutCancel(ctx))
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		flushTokenUse(flushCtx, svc, log, flushEvery)
	}()
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		sweepSignIns(flushCtx, svc, log, sweepEvery)
	}()

	err = httpx.Serve(ctx, httpx.NewServer(h, log), ln, shutdownGrace)

	// Requests are done: write what handlers still hold (the provisioning
	// log's queue).
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	if cerr := closeHandlers(cctx); cerr != nil {
		log.Error("can't write the provisioning log's last entries", "err", cerr)
	}
	ccancel()
	stopFlush()
	<-flushed
	<-swept
	// Requests have finished (or, past the grace period, been cut off), so
	// this flush writes the last token use there will be.
	fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if ferr := svc.FlushTokenUse(fctx); ferr != nil {
		log.Error("can't record token use at shutdown", "err", ferr)
	}
	cancel()
	if cerr := st.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close database: %w", cerr))
	}
	log.Info("scimd stopped")
	return err
}

// handler returns everything scimd serves over HTTP, inside the middleware
// every request passes, and a function that closes the handlers once
// requests are done. This is the one place routes are mounted.
func handler(svc *directory.Service, st store, log *slog.Logger, baseURL string, sc signInConfig) (http.Handler, func(context.Context) error, error) {
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newPoolCollector(st),
	} {
		if err := reg.Register(c); err != nil {
			return nil, nil, fmt.Errorf("metrics: %w", err)
		}
	}
	metrics, err := httpx.NewMetrics(reg)
	if err != nil {
		return nil, nil, err
	}

	mux := http.NewServeMux()
	// SCIM 2.0 for identity providers. It checks bearer tokens itself: the
	// token names the tenant.
	scimHandler := scim.NewHandler(scim.Config{Service: svc, Log: log, BaseURL: baseURL, RateLimit: scimRateLimiter(st, sc)})
	mux.Handle(scim.Prefix+"/", scimHandler)
	// Sign-in for the tenants' staff, under /t/{tenant}/: the sign-in
	// page, OIDC, SAML, sessions, break-glass; owners and admins go on to
	// the console.
	alerts := sc.alerts
	if alerts == nil {
		alerts = sso.NewAlerter(log, nil, nil)
	}
	oidcConnector := oidc.New(sc.keeper, sc.client, sc.now)
	samlConnector := saml.New(saml.Config{Service: svc, Secrets: sc.keeper, BaseURL: baseURL, Client: sc.client, Now: sc.now, Log: log})
	signIn, err := sso.New(sso.Config{Service: svc, Log: log, BaseURL: baseURL, Sessions: sc.sessions,
		Connectors: []sso.Connector{oidcConnector, samlConnector}, Secrets: sc.keeper, Alerts: alerts, TrustedProxies: sc.proxies,
		Console: console.Path, ConsoleRecovery: console.RecoveryHome})
	if err != nil {
		return nil, nil, err
	}
	mux.Handle("/t/", signIn)
	// The tenant admins' console, for a signed-in owner's or admin's
	// session.
	adminConsole, err := newConsole(svc, log, baseURL, sc.keeper, signIn, testConnection(oidcConnector, samlConnector), samlConnector)
	if err != nil {
		return nil, nil, err
	}
	mux.Handle(console.Pattern, adminConsole)
	// The admin API for tenant admins. At /api/v1 it takes admin tokens,
	// which name the tenant; at /t/{tenant}/api/v1, where the browser
	// sends the tenant's session cookie, it takes a signed-in owner's or
	// admin's session.
	adminConfig := admin.Config{Service: svc, Log: log, Secrets: sc.keeper, RedirectURI: signIn.CallbackURL,
		LinkURL: signIn.LinkURL, TestConnection: testConnection(oidcConnector, samlConnector), SAML: samlConnector.Admin()}
	mux.Handle(admin.Prefix+"/", admin.NewHandler(adminConfig))
	sessionAdmin := adminConfig
	sessionAdmin.Authenticators = []admin.Authenticator{signIn.Authenticator()}
	mux.Handle("/t/{tenant}"+admin.Prefix+"/", signIn.TenantAPI(admin.NewHandler(sessionAdmin)))

	// For the platform: probes and metrics carry no tenant data and need
	// no token; keep them off the public network at the load balancer.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		plain(w, http.StatusOK, "ok")
	})
	mux.Handle("GET /readyz", readyz(st, log))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError),
		Registry: reg, // counts its own failures
	}))

	// Outermost first: the request id is assigned before anything logs;
	// the access log and metrics see the final status, also of a panic,
	// which Recover turns into a 500.
	var h http.Handler = mux
	h = httpx.Recover(log, h, scimPanicBody(), admin.PanicBody())
	h = metrics.Handler(h)
	h = httpx.AccessLog(log, h)
	h = httpx.AssignRequestID(h)
	closeAll := func(ctx context.Context) error {
		err := scimHandler.Close(ctx)
		alerts.Close()
		return err
	}
	return h, closeAll, nil
}

// testConnection is the admin API's connection test: scimd sso test's
// checks.
func testConnection(o *oidc.Connector, sm *saml.Connector) admin.ConnectionTester {
	return func(ctx context.Context, t *directory.Tenant, conn *directory.Connection) []admin.Finding {
		var found []sso.Finding
		switch conn.Kind {
		case directory.KindOIDC:
			found = o.Check(ctx, conn)
		case directory.KindSAML:
			found = sm.Check(ctx, t, conn)
		default:
			return []admin.Finding{{Level: string(sso.Problem), Message: "scimd can't test a connection of kind " + string(conn.Kind)}}
		}
		out := make([]admin.Finding, 0, len(found))
		for _, f := range found {
			out = append(out, admin.Finding{Level: string(f.Level), Message: f.Message})
		}
		return out
	}
}

// scimPanicBody answers a crash under /scim/v2 as SCIM, since identity
// providers show a SCIM error's detail to their admins.
func scimPanicBody() httpx.PanicBody {
	b, err := json.Marshal(&scim.Error{Status: http.StatusInternalServerError,
		Detail: "Internal error; the request may not have been applied. Retry later."})
	if err != nil {
		panic(err) // a fixed value; can't fail
	}
	return httpx.PanicBody{Prefix: scim.Prefix + "/", ContentType: scim.MediaType, Body: string(b)}
}

// readyz answers 200 while the database answers and has every migration
// this binary knows, else 503 with the reason: a load balancer then sends
// nothing to a replica that would fail.
func readyz(st store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			log.WarnContext(r.Context(), "not ready: the database does not answer", "err", err)
			plain(w, http.StatusServiceUnavailable, "the database does not answer")
			return
		}
		pending, err := st.Pending(ctx)
		if err != nil {
			log.WarnContext(r.Context(), "not ready: can't read the migration state", "err", err)
			plain(w, http.StatusServiceUnavailable, "can't read the database's migration state")
			return
		}
		if pending {
			plain(w, http.StatusServiceUnavailable, "database migrations are pending; run scimd migrate")
			return
		}
		plain(w, http.StatusOK, "ok")
	})
}

// plain writes a one-line text answer that no cache keeps.
func plain(w http.ResponseWriter, status int, line string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, line)
}

// flushTokenUse writes token last-used times every interval until ctx
// ends. A failed flush keeps the times for the next one.
func flushTokenUse(ctx context.Context, svc *directory.Service, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if err := svc.FlushTokenUse(fctx); err != nil {
				log.Warn("can't record token use; will retry", "err", err)
			}
			cancel()
		}
	}
}

// sweepSignIns deletes expired pending sign-ins and old sessions every
// interval until ctx ends.
func sweepSignIns(ctx context.Context, svc *directory.Service, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if _, err := svc.SweepSignIns(sctx); err != nil {
				log.Warn("can't delete expired sign-ins and sessions; will retry", "err", err)
			}
			if _, err := svc.SweepBreakGlass(sctx); err != nil {
				log.Warn("can't delete expired break-glass links and throttles; will retry", "err", err)
			}
			cancel()
		}
	}
}

func isLoopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// defaultBaseURL is http://ADDR for the address serve listens on; an
// unspecified host (":8080", "0.0.0.0:8080") becomes localhost, which at
// least works from the machine itself.
func defaultBaseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
