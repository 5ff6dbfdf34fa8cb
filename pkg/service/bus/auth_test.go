package bus_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
)

// runServer starts an embedded server with opts completed for a test.
func runServer(t *testing.T, opts *server.Options) *server.Server {
	t.Helper()
	opts.Host, opts.Port, opts.NoSigs, opts.NoLog = "127.0.0.1", -1, true, true
	opts.JetStream, opts.StoreDir = true, t.TempDir()
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// pki is a throwaway certificate authority with a server certificate for
// 127.0.0.1 and a client certificate, written as PEM files.
type pki struct {
	dir                            string
	caFile, serverCert, serverKey  string
	clientCert, clientKey, otherCA string
	caCert                         *x509.Certificate
	caKey                          *ecdsa.PrivateKey
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir()}
	p.caCert, p.caKey, p.caFile = selfSignedCA(t, p.dir, "ca", "newsflow test CA")
	_, _, p.otherCA = selfSignedCA(t, p.dir, "other-ca", "some other CA")
	p.serverCert, p.serverKey = p.issue(t, "server", x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)})
	p.clientCert, p.clientKey = p.issue(t, "client", x509.ExtKeyUsageClientAuth, nil)
	return p
}

func selfSignedCA(t *testing.T, dir, name, cn string) (*x509.Certificate, *ecdsa.PrivateKey, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key, writePEM(t, dir, name+".pem", "CERTIFICATE", der)
}

func (p *pki) issue(t *testing.T, name string, usage x509.ExtKeyUsage, ips []net.IP) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "newsflow " + name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, p.dir, name+".pem", "CERTIFICATE", der), writePEM(t, p.dir, name+"-key.pem", "EC PRIVATE KEY", kder)
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func tlsServer(t *testing.T, p *pki, verifyClients bool) *server.Server {
	t.Helper()
	tc := &server.TLSConfigOpts{CertFile: p.serverCert, KeyFile: p.serverKey, Timeout: 2}
	if verifyClients {
		tc.CaFile, tc.Verify = p.caFile, true
	}
	cfg, err := server.GenTLSConfig(tc)
	if err != nil {
		t.Fatal(err)
	}
	return runServer(t, &server.Options{TLS: true, TLSConfig: cfg, TLSVerify: verifyClients, TLSTimeout: 2})
}

func nkeySeedFile(t *testing.T) (pub, path string) {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, err := kp.Seed()
	if err != nil {
		t.Fatal(err)
	}
	pub, err = kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "service.nk")
	if err := os.WriteFile(path, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	return pub, path
}

// TestConnectAuth checks that a service's connection settings get it into
// a server that demands a token, a password, an NKEY or TLS (server-only
// and mutual), and that the server turns it away without them.
func TestConnectAuth(t *testing.T) {
	p := newPKI(t)
	nkeyPub, nkeyFile := nkeySeedFile(t)
	_, otherNkeyFile := nkeySeedFile(t)
	tests := []struct {
		name    string
		server  func(t *testing.T) *server.Server
		accept  config.NATS
		refuse  []config.NATS
		errLike string // in every refusal
	}{
		{
			name:    "token",
			server:  func(t *testing.T) *server.Server { return runServer(t, &server.Options{Authorization: "s3cret-token"}) },
			accept:  config.NATS{Token: "s3cret-token"},
			refuse:  []config.NATS{{}, {Token: "wrong"}},
			errLike: "authorization violation",
		},
		{
			name: "user and password",
			server: func(t *testing.T) *server.Server {
				return runServer(t, &server.Options{Users: []*server.User{{Username: "cleaner", Password: "pw-cleaner"}}})
			},
			accept:  config.NATS{User: "cleaner", Password: "pw-cleaner"},
			refuse:  []config.NATS{{}, {User: "cleaner", Password: "guess"}},
			errLike: "authorization violation",
		},
		{
			name: "nkey",
			server: func(t *testing.T) *server.Server {
				return runServer(t, &server.Options{Nkeys: []*server.NkeyUser{{Nkey: nkeyPub}}})
			},
			accept:  config.NATS{NKeySeed: nkeyFile},
			refuse:  []config.NATS{{}, {NKeySeed: otherNkeyFile}},
			errLike: "authorization violation",
		},
		{
			name:    "tls",
			server:  func(t *testing.T) *server.Server { return tlsServer(t, p, false) },
			accept:  config.NATS{TLSCA: p.caFile},
			refuse:  []config.NATS{{}, {TLSCA: p.otherCA}},
			errLike: "certificate",
		},
		{
			name:   "mutual tls",
			server: func(t *testing.T) *server.Server { return tlsServer(t, p, true) },
			accept: config.NATS{TLSCA: p.caFile, TLSCert: p.clientCert, TLSKey: p.clientKey},
			// Without a client certificate the server ends the handshake.
			refuse: []config.NATS{{TLSCA: p.caFile}, {}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.server(t)
			connect := func(c config.NATS) (*bus.Conn, error) {
				c.URL, c.ConnectTO = s.ClientURL(), 300*time.Millisecond
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				return bus.Connect(ctx, c, "auth-test", zaptest.NewLogger(t))
			}
			conn, err := connect(tc.accept)
			if err != nil {
				t.Fatalf("with the right settings: %v", err)
			}
			// The connection is usable: JetStream answers.
			if _, err := conn.JS.AccountInfo(context.Background()); err != nil {
				t.Errorf("JetStream over the authenticated connection: %v", err)
			}
			if err := conn.Close(); err != nil {
				t.Error(err)
			}
			for i, c := range tc.refuse {
				conn, err := connect(c)
				if err == nil {
					_ = conn.Close()
					t.Errorf("refusal %d: connected without the right settings", i)
					continue
				}
				if !strings.Contains(strings.ToLower(err.Error()), tc.errLike) {
					t.Errorf("refusal %d: error %q does not mention %q", i, err, tc.errLike)
				}
			}
		})
	}
}
