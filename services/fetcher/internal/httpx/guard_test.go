package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestGuardCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip                    string
		loopback, private, ok bool
	}{
		{ip: "93.184.216.34", ok: true},
		{ip: "2606:2800:220:1:248:1893:25c8:1946", ok: true},
		{ip: "127.0.0.1"},
		{ip: "127.9.8.7"},
		{ip: "127.0.0.1", loopback: true, ok: true},
		{ip: "::1"},
		{ip: "::1", loopback: true, ok: true},
		{ip: "::ffff:127.0.0.1"}, // IPv4-mapped loopback
		{ip: "10.1.2.3"},
		{ip: "10.1.2.3", private: true, ok: true},
		{ip: "172.16.0.1"},
		{ip: "172.32.0.1", ok: true},
		{ip: "192.168.1.1"},
		{ip: "100.64.0.1"}, // CGNAT
		{ip: "100.64.0.1", private: true, ok: true},
		{ip: "fd12:3456::1"},
		{ip: "169.254.1.1"},
		{ip: "169.254.1.1", loopback: true, private: true}, // link-local is never allowed
		{ip: "169.254.169.254", loopback: true, private: true},
		{ip: "fd00:ec2::254", loopback: true, private: true}, // metadata wins over AllowPrivate
		{ip: "fe80::1", loopback: true, private: true},
		{ip: "0.0.0.0", loopback: true, private: true},
		{ip: "::", loopback: true, private: true},
		{ip: "224.0.0.1"},
		{ip: "255.255.255.255"},
		{ip: "64:ff9b::a00:1"},               // NAT64 of 10.0.0.1
		{ip: "64:ff9b::5db8:d822", ok: true}, // NAT64 of a public address
		{ip: "2002:7f00:1::"},                // 6to4 of 127.0.0.1
	}
	for _, tc := range tests {
		g := guard{allowLoopback: tc.loopback, allowPrivate: tc.private}
		err := g.check(netip.MustParseAddr(tc.ip))
		if (err == nil) != tc.ok {
			t.Errorf("check(%s, loopback=%v, private=%v) = %v, want ok=%v", tc.ip, tc.loopback, tc.private, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("check(%s) error %v does not wrap ErrBlockedAddress", tc.ip, err)
		}
	}
}

func TestGuardAtDialTime(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		name     string
		opts     Options
		url      string
		wantErr  error
		wantBody string
	}{
		{name: "loopback literal refused", url: srv.URL, wantErr: ErrBlockedAddress},
		{name: "loopback literal allowed", opts: Options{AllowLoopback: true}, url: srv.URL, wantBody: "ok"},
		// localhost is a name: it passes URL validation and is refused
		// once resolved, at dial time.
		{name: "name resolving to loopback", url: "http://localhost:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:], wantErr: ErrBlockedAddress},
		{name: "resolve override refused", opts: Options{Resolve: map[string]string{"feeds.example": addr}}, url: "http://feeds.example/", wantErr: ErrBlockedAddress},
		{name: "resolve override allowed", opts: Options{AllowLoopback: true, Resolve: map[string]string{"feeds.example": addr}}, url: "http://feeds.example/", wantBody: "ok"},
		{name: "resolve to private refused", opts: Options{AllowLoopback: true, Resolve: map[string]string{"intranet.example": "10.0.0.1:80"}}, url: "http://intranet.example/", wantErr: ErrBlockedAddress},
		{name: "metadata literal", opts: Options{AllowLoopback: true, AllowPrivate: true}, url: "http://169.254.169.254/latest/meta-data/", wantErr: ErrBlockedAddress},
		{name: "ftp scheme", opts: Options{AllowLoopback: true}, url: "ftp://example.com/feed", wantErr: ErrInvalidURL},
		{name: "file scheme", opts: Options{AllowLoopback: true}, url: "file:///etc/passwd", wantErr: ErrInvalidURL},
		{name: "no host", opts: Options{AllowLoopback: true}, url: "http:///feed", wantErr: ErrInvalidURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Get(context.Background(), tc.url, Conditional{}, KindFeed)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Get(%s) error = %v, want %v", tc.url, err, tc.wantErr)
				}
				if Classify(err) != Permanent {
					t.Errorf("Classify(%v) = %v, want permanent", err, Classify(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%s): %v", tc.url, err)
			}
			if string(resp.Body) != tc.wantBody {
				t.Errorf("body = %q, want %q", resp.Body, tc.wantBody)
			}
		})
	}
}

func TestGuardOnRedirect(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c := testClient(t, Options{Resolve: map[string]string{"internal.example": "192.168.0.10:80"}})
	targets := []struct {
		to      string
		wantErr error
	}{
		{to: "http://169.254.169.254/latest/meta-data/", wantErr: ErrBlockedAddress},
		{to: "http://10.0.0.1/", wantErr: ErrBlockedAddress},
		{to: "http://[fd00:ec2::254]/", wantErr: ErrBlockedAddress},
		{to: "http://internal.example/", wantErr: ErrBlockedAddress}, // name, refused at dial
		{to: "gopher://example.com/", wantErr: ErrInvalidURL},
	}
	for _, tc := range targets {
		u := srv.URL + "/?to=" + url.QueryEscape(tc.to)
		_, err := c.Get(context.Background(), u, Conditional{}, KindFeed)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("redirect to %s: error = %v, want %v", tc.to, err, tc.wantErr)
		}
	}
}
