package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that never change what a page shows.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "mc_cid": true,
	"mc_eid": true, "igshid": true, "yclid": true, "_ga": true, "ref_src": true,
	"cmpid": true, "ncid": true, "ocid": true, "soc_src": true, "soc_trk": true,
}

// CanonicalURL returns the form of raw used for article ids: scheme and host
// lower-cased, default port, fragment and tracking parameters (utm_*, fbclid,
// gclid ...) dropped, remaining query parameters sorted.
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("schema: canonical url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("schema: canonical url: scheme %q is not http(s)", u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Errorf("schema: canonical url: no host in %q", raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host = host + ":" + port
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	u.Fragment = ""
	u.RawFragment = ""
	u.User = nil
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				continue
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			vals := q[k]
			sort.Strings(vals)
			for _, v := range vals {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(k))
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
		u.RawQuery = b.String()
	}
	u.ForceQuery = false
	return u.String(), nil
}

// ArticleID is the stable id of the article at raw: the first 16 bytes of the
// SHA-256 of its canonical URL, in hex.
func ArticleID(raw string) (id, canonical string, err error) {
	canonical, err = CanonicalURL(raw)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256([]byte(canonical))
	return hex.EncodeToString(sum[:16]), canonical, nil
}

// ContentHash is the hash used for content-change detection and message ids.
func ContentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// MsgID is the Nats-Msg-Id of an article message at a stage: the same article
// with the same content published twice is stored once by JetStream.
func MsgID(stage, id, contentHash string) string {
	return stage + ":" + id + ":" + contentHash
}
