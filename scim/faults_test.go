package scim_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

// sendAndHangUp writes a request on a connection of its own and closes
// it without reading the answer: an IdP whose connection was cut after
// it sent the request, before the answer arrived.
func sendAndHangUp(t *testing.T, s *server, method, path, body string) {
	t.Helper()
	u, _ := url.Parse(s.url)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", scim.MediaType)
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	// Wait for the first byte of the answer (the commit is done), then
	// drop the connection unread.
	bufio.NewReader(c).Peek(1)
	c.Close()
}

// TestRetryAfterLostResponse: an IdP that lost the answer retries. A
// create that happened answers 409 uniqueness, and there is one user; a
// delete that happened answers 204 again to the same token, 404 to
// another.
func TestRetryAfterLostResponse(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		body := `{"schemas":["` + scim.UserSchema + `"],"userName":"ada@acme.example","externalId":"00u1"}`
		sendAndHangUp(t, s, "POST", "/scim/v2/Users", body)
		s.do("POST", "/scim/v2/Users", body).wantError(t, http.StatusConflict, "uniqueness")
		list := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "ada@acme.example"`), nil).want(t, 200).list()
		if len(list) != 1 {
			t.Fatalf("%d users after a create and its retry, want 1", len(list))
		}
		id := list[0]["id"].(string)

		group := s.do("POST", "/scim/v2/Groups", `{"schemas":["`+scim.GroupSchema+`"],"displayName":"Support"}`).want(t, 201).str("id")
		sendAndHangUp(t, s, "DELETE", "/scim/v2/Users/"+id, "")
		sendAndHangUp(t, s, "DELETE", "/scim/v2/Groups/"+group, "")
		s.do("DELETE", "/scim/v2/Users/"+id, nil).want(t, http.StatusNoContent)
		s.do("DELETE", "/scim/v2/Groups/"+group, nil).want(t, http.StatusNoContent)
		s.do("GET", "/scim/v2/Users/"+id, nil).wantError(t, http.StatusNotFound, "")

		// Another token (another IdP app) did not delete it: 404.
		_, other, err := s.svc.CreateToken(t.Context(), directory.CLI, s.tenant.ID, directory.ScopeSCIM, "second")
		if err != nil {
			t.Fatal(err)
		}
		s.token = other
		s.do("DELETE", "/scim/v2/Users/"+id, nil).wantError(t, http.StatusNotFound, "")
		s.do("DELETE", "/scim/v2/Groups/"+group, nil).wantError(t, http.StatusNotFound, "")
		// A user never there is 404 for everyone.
		s.do("DELETE", "/scim/v2/Users/"+directory.NewID(), nil).wantError(t, http.StatusNotFound, "")
	})
}

// TestIfMatchRace: 8 writers send 1,000 PATCHes each to one user, each
// with If-Match on the version it last read. Every version is won by
// exactly one writer; every other attempt at it gets 412.
func TestIfMatchRace(t *testing.T) {
	writers, attempts := 8, 1000
	if testing.Short() {
		attempts = 100
	}
	backends(t, func(t *testing.T, s *server) {
		id := s.do("POST", "/scim/v2/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"race@acme.example"}`).want(t, 201).str("id")
		var (
			mu    sync.Mutex
			wins  = map[string]int{} // If-Match version → 200s
			fails int
			wg    sync.WaitGroup
		)
		for w := range writers {
			wg.Go(func() {
				etag := ""
				for i := range attempts {
					if etag == "" {
						etag = s.do("GET", "/scim/v2/Users/"+id, nil).want(t, 200).header.Get("ETag")
					}
					r := s.do("PATCH", "/scim/v2/Users/"+id, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
						"Operations":[{"op":"replace","path":"title","value":"w%d-%d"}]}`, w, i), "If-Match", etag)
					mu.Lock()
					switch r.status {
					case 200:
						wins[etag]++
						etag = r.header.Get("ETag")
					case http.StatusPreconditionFailed:
						fails++
						etag = ""
					default:
						t.Errorf("PATCH: %d %s", r.status, r.raw)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		final := s.do("GET", "/scim/v2/Users/"+id, nil).want(t, 200)
		won := 0
		for v, n := range wins {
			if n != 1 {
				t.Errorf("version %s won %d times, want once", v, n)
			}
			won += n
		}
		if won+fails != writers*attempts {
			t.Errorf("%d wins + %d 412s != %d attempts", won, fails, writers*attempts)
		}
		// Versions start at 1 and each win moves it on by one.
		if want := fmt.Sprintf(`W/"%d"`, won+1); final.header.Get("ETag") != want {
			t.Errorf("final ETag %s after %d wins, want %s", final.header.Get("ETag"), won, want)
		}
		t.Logf("%d wins, %d 412s", won, fails)
	})
}
