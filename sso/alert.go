package sso

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Alert is what a tenant's alert webhook receives, as JSON, when a
// break-glass session opens. Text is one sentence for chat webhooks
// (Slack and Mattermost show "text").
type Alert struct {
	Event             string    `json:"event"` // breakglass.signin or breakglass.recover
	Tenant            string    `json:"tenant"`
	Account           string    `json:"account"`
	AccountID         string    `json:"accountId"`
	Method            string    `json:"method"` // totp, recovery_code or recover_link
	Session           string    `json:"session"`
	SessionExpires    time.Time `json:"sessionExpires"`
	Address           string    `json:"address,omitempty"`
	At                time.Time `json:"at"`
	RequestID         string    `json:"requestId,omitempty"`
	RecoveryCodesLeft int       `json:"recoveryCodesLeft,omitempty"`
	Text              string    `json:"text"`
}

// DefaultBackoff is how long the Alerter waits between tries of a webhook
// that failed: six tries over about 13 minutes.
var DefaultBackoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute}

// Alerter raises the alarm for break-glass use: a WARN log line at once,
// and, when the tenant has an alert webhook, a JSON POST to it, sent in
// the background and tried again with back-off until it is answered 2xx.
// The sign-in never waits for it.
type Alerter struct {
	log     *slog.Logger
	client  *http.Client
	backoff []time.Duration
	wg      sync.WaitGroup
	// stop ends the waits between tries (Close).
	stop     chan struct{}
	stopOnce sync.Once
}

// NewAlerter returns an Alerter that posts with client (nil: a client
// with a 10-second timeout that follows no redirect) and waits backoff
// between tries (nil: DefaultBackoff).
func NewAlerter(log *slog.Logger, client *http.Client, backoff []time.Duration) *Alerter {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second,
			// A webhook that redirects is misconfigured: follow nothing,
			// so an alert can't be steered elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if backoff == nil {
		backoff = DefaultBackoff
	}
	return &Alerter{log: log, client: client, backoff: backoff, stop: make(chan struct{})}
}

// Raise logs a and, if webhook is set, posts it there in the background.
func (a *Alerter) Raise(ctx context.Context, webhook string, al Alert) {
	if al.Text == "" {
		al.Text = fmt.Sprintf("Break-glass session opened in tenant %s by %s (%s) from %s; it expires at %s.",
			al.Tenant, al.Account, al.Method, orDash(al.Address), al.SessionExpires.UTC().Format(time.RFC3339))
	}
	a.log.WarnContext(ctx, "break-glass session opened", "event", al.Event, "tenant", al.Tenant, "account", al.Account,
		"method", al.Method, "session", al.Session, "expires", al.SessionExpires, "address", al.Address, "webhook", webhook != "")
	if webhook == "" {
		return
	}
	body, err := json.Marshal(al)
	if err != nil {
		a.log.Error("can't encode a break-glass alert", "err", err)
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.send(webhook, body, al)
	}()
}

func (a *Alerter) send(webhook string, body []byte, al Alert) {
	for try := 0; ; try++ {
		err := a.post(webhook, body)
		if err == nil {
			if try > 0 {
				a.log.Info("break-glass alert delivered", "tenant", al.Tenant, "session", al.Session, "tries", try+1)
			}
			return
		}
		if try == len(a.backoff) {
			a.log.Error("break-glass alert not delivered; giving up", "tenant", al.Tenant, "session", al.Session, "tries", try+1, "err", err)
			return
		}
		a.log.Warn("break-glass alert not delivered; will retry", "tenant", al.Tenant, "session", al.Session, "try", try+1, "in", a.backoff[try].String(), "err", err)
		t := time.NewTimer(a.backoff[try])
		select {
		case <-t.C:
		case <-a.stop:
			t.Stop()
			a.log.Error("break-glass alert not delivered before shutdown", "tenant", al.Tenant, "session", al.Session, "err", err)
			return
		}
	}
}

func (a *Alerter) post(webhook string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, webhook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "scimd-alert")
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return nil
}

// Wait waits for the alerts in flight to be delivered or given up.
func (a *Alerter) Wait() { a.wg.Wait() }

// Close stops retrying (each alert in flight makes its current try) and
// waits for the alerts in flight: serve calls it at shutdown.
func (a *Alerter) Close() {
	a.stopOnce.Do(func() { close(a.stop) })
	a.wg.Wait()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
