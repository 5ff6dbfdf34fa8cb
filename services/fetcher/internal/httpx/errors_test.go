package httpx

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{name: "nil", err: nil, want: None},
		{name: "unknown", err: errors.New("boom"), want: Temporary},
		{name: "reset", err: fmt.Errorf("httpx: get: %w", &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}), want: Temporary},
		{name: "deadline", err: fmt.Errorf("httpx: get: %w", context.DeadlineExceeded), want: Temporary},
		{name: "dns not found", err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}, want: Permanent},
		{name: "dns timeout", err: &net.DNSError{Err: "timeout", Name: "slow.example", IsTimeout: true}, want: Temporary},
		{name: "unknown authority", err: fmt.Errorf("x: %w", x509.UnknownAuthorityError{}), want: Permanent},
		{name: "blocked", err: fmt.Errorf("x: %w", ErrBlockedAddress), want: Permanent},
		{name: "too large", err: ErrBodyTooLarge, want: Permanent},
		{name: "404", err: &StatusError{Code: 404}, want: Permanent},
		{name: "wrapped 429", err: fmt.Errorf("fetch: %w", &StatusError{Code: 429}), want: RateLimited},
		{name: "503 without Retry-After", err: &StatusError{Code: 503}, want: Temporary},
		{name: "503 with Retry-After", err: &StatusError{Code: 503, RetryAfter: time.Minute}, want: RateLimited},
	}
	for _, tc := range tests {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("%s: Classify = %v, want %v", tc.name, got, tc.want)
		}
	}
	for c, want := range map[Class]string{None: "none", Temporary: "temporary", Permanent: "permanent", RateLimited: "rate_limited"} {
		if c.String() != want {
			t.Errorf("%d.String() = %q", c, c.String())
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-3", 0},
		{"45", 45 * time.Second},
		{" 45 ", 45 * time.Second},
		{"86400000000", time.Hour},
		{now.Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), time.Hour},
		{"Sunday, 01-Mar-26 12:05:00 GMT", 5 * time.Minute}, // RFC 850
		{"not a date", 0},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now, time.Hour); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
