package httpx_test

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestSlowHeadersAreCut: a client that sends half its headers and then
// nothing (slowloris) loses its connection after ReadHeaderTimeout
// rather than holding it. It waits that long (10 s), in parallel.
func TestSlowHeadersAreCut(t *testing.T) {
	t.Parallel()
	addr, cancel, _ := serve(t, http.NotFoundHandler(), time.Second)
	defer cancel()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: example\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// Far past ReadHeaderTimeout: if the server never cuts, the read
	// fails with this deadline instead.
	c.SetReadDeadline(time.Now().Add(time.Minute))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server held a connection whose headers never ended")
	}
	// net/http may answer 408 before closing; either way the connection ends.
	if len(b) > 0 && string(b[:12]) != "HTTP/1.1 408" {
		t.Errorf("answer %q, want a closed connection or 408", b)
	}
}
