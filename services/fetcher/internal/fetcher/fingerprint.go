package fetcher

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"strconv"

	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
)

// networkFingerprint hashes the settings that decide whether a request can
// succeed at all: the address guard, identity, limits and timeouts. When
// one changes (say --allow-loopback is switched on after every local feed
// failed with "blocked address"), a failing feed is retried at once
// instead of waiting out the backoff the old settings earned.
func networkFingerprint(cfg Config) string {
	return hashJSON(struct {
		AllowLoopback, AllowPrivate, RespectRobots bool
		UserAgent                                  string
		ConnectTimeout, HeaderTimeout, Timeout     int64
		MaxBodyBytes                               int64
		MaxRedirects                               int
		Replay                                     string
		MinInterval, MaxInterval, DefaultInterval  int64
		MaxBackoff                                 int64
	}{cfg.AllowLoopback, cfg.AllowPrivate, cfg.RespectRobots, cfg.UserAgent,
		int64(cfg.ConnectTimeout), int64(cfg.HeaderTimeout), int64(cfg.Timeout), cfg.MaxBodyBytes, cfg.MaxRedirects,
		cfg.Replay, int64(cfg.MinInterval), int64(cfg.MaxInterval), int64(cfg.DefaultInterval), int64(cfg.MaxBackoff)})
}

// fingerprint is a feed's configuration as this fetcher polls it (its
// entry in the feeds file and the network settings), stored with every
// poll's result (state.FeedState.Config).
// It is computed for every feed on every tick, so it is a cheap FNV hash
// rather than another SHA-256 of JSON.
func (f *Fetcher) fingerprint(fd feedlist.Feed) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(f.netPrint)) // a hash.Hash never fails to write
	_, _ = h.Write([]byte(fd.URL))
	_, _ = h.Write([]byte("|" + strconv.FormatInt(int64(fd.MinInterval), 10) + "|" + strconv.FormatInt(int64(fd.MaxInterval), 10)))
	return strconv.FormatUint(h.Sum64(), 16)
}

func hashJSON(v any) string {
	b, _ := json.Marshal(v) // plain values: never fails
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
