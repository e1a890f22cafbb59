package oidc_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzCallback sends what the fuzzer makes as the query (and, posted, the
// form) of the OIDC callback, with and without a sign-in in progress in
// the browser: scimd must not panic and must answer with a refusal (a
// redirect or a 4xx page), never an error of its own (5xx). Seeds are a
// real callback from the fake provider, and its parts broken.
//
//	go test -run '^$' -fuzz FuzzCallback ./sso/oidc
func FuzzCallback(f *testing.F) {
	op := newFakeOP(f, testKey)
	s := newStack(f, op)
	b := s.browser()
	callback := s.startOnly(b) // a sign-in in progress: its cookie is in b
	u, err := url.Parse(callback)
	if err != nil {
		f.Fatal(err)
	}
	q := u.Query()
	f.Add(u.RawQuery)
	f.Add("state=" + q.Get("state"))
	f.Add("code=" + q.Get("code"))
	f.Add("error=access_denied&error_description=" + url.QueryEscape("<script>alert(1)</script>") + "&state=" + q.Get("state"))
	f.Add("state=" + q.Get("state") + "&state=x&code=" + q.Get("code") + "&code=y")
	f.Add("state=%ff%00&code=" + strings.Repeat("A", 5000))
	f.Add("iss=https://evil.example&" + u.RawQuery)
	f.Add(";;&&==%")
	target := s.url + "/t/acme/sso/oidc/callback"
	f.Fuzz(func(t *testing.T, query string) {
		check := func(resp *http.Response, err error) {
			if err != nil {
				t.Fatalf("no answer (a panic?): %v", err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("callback ?%q: %d", query, resp.StatusCode)
			}
		}
		noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		for _, c := range []*http.Client{{CheckRedirect: noFollow}, {Jar: b.c.Jar, CheckRedirect: noFollow}} {
			// A query a client can't put in a URL (a control
			// character) can't arrive either; the form still can.
			if _, err := url.Parse(target + "?" + query); err == nil {
				check(c.Get(target + "?" + query))
			}
			check(c.Post(target, "application/x-www-form-urlencoded", strings.NewReader(query)))
		}
	})
}
