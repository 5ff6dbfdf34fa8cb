package store

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"go.uber.org/zap"
)

// fsyncPolicy says when JSONL appends reach the disk.
type fsyncPolicy string

const (
	// fsyncAlways syncs after every line: slowest, loses nothing acked.
	fsyncAlways fsyncPolicy = "always"
	// fsyncBatch syncs once per Upsert, before it returns: loses nothing
	// acked, at one sync per batch. The default.
	fsyncBatch fsyncPolicy = "batch"
	// fsyncNever leaves it to the OS: a power cut can lose acked lines.
	fsyncNever fsyncPolicy = "never"
)

// jsonlStore appends each stored article version as one JSON line to a
// file per processing day (2006-01-02.jsonl, UTC). Each line is written
// with one write(2) on an O_APPEND descriptor, so a line is either whole or
// is the torn tail that the next open cuts off. One process writes a
// directory at a time (an flock on dir/.lock); an in-memory index of each
// article's latest version, rebuilt from the files at open, makes replays
// no-ops and lets Export read only the latest versions, by offset.
type jsonlStore struct {
	dir      string
	policy   fsyncPolicy
	log      *zap.Logger
	now      func() time.Time
	readOnly bool
	lock     *fileLock // nil when read-only

	mu      sync.Mutex
	closed  bool
	idx     map[string]jsonlEntry
	files   []string // day file names; jsonlEntry.file indexes this
	cur     *os.File // the day file being appended to
	curDay  string
	curFile int32
	curSize int64
}

// jsonlEntry locates the latest stored version of an article and keeps
// what idempotency, filtering and Stats need without reading the line.
type jsonlEntry struct {
	hash       string
	fetchedUs  int64
	sortUs     int64
	off        int64
	n          int32
	file       int32
	claims     int32
	quantities int32
	relevant   bool
}

func openJSONL(rest string, readOnly bool, log *zap.Logger) (Store, error) {
	dir, rawOpts, _ := strings.Cut(rest, "?")
	if dir == "" {
		return nil, fmt.Errorf("%w: jsonl: no directory", ErrBadSpec)
	}
	opts, err := url.ParseQuery(rawOpts)
	if err != nil {
		return nil, fmt.Errorf("%w: jsonl options: %v", ErrBadSpec, err)
	}
	policy := fsyncBatch
	for k, v := range opts {
		switch k {
		case "fsync":
			policy = fsyncPolicy(strings.ToLower(v[0]))
			if policy != fsyncAlways && policy != fsyncBatch && policy != fsyncNever {
				return nil, fmt.Errorf("%w: jsonl fsync=%q (want always, batch or never)", ErrBadSpec, v[0])
			}
		default:
			return nil, fmt.Errorf("%w: unknown jsonl option %q", ErrBadSpec, k)
		}
	}
	if readOnly {
		return newJSONLReader(dir, log)
	}
	return newJSONL(dir, policy, time.Now, log)
}

func newJSONL(dir string, policy fsyncPolicy, now func() time.Time, log *zap.Logger) (*jsonlStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: jsonl: %w", err)
	}
	lock, err := lockFile(filepath.Join(dir, ".lock"), false)
	if err != nil {
		return nil, err
	}
	if lock.stale != 0 {
		// Its appends were fsynced or are torn lines, which load repairs.
		log.Warn("Took over the lock of a writer that died holding it.", zap.String("lock", filepath.Join(dir, ".lock")),
			zap.Int("pid", lock.stale))
	}
	s := &jsonlStore{dir: dir, policy: policy, log: log, now: now, lock: lock, idx: map[string]jsonlEntry{}}
	if err := s.load(); err != nil {
		_ = lock.unlock()
		return nil, err
	}
	log.Info("Store opened.", zap.String("backend", "jsonl"), zap.String("path", dir),
		zap.String("fsync", string(policy)), zap.Int("articles", len(s.idx)), zap.Int("files", len(s.files)))
	return s, nil
}

func newJSONLReader(dir string, log *zap.Logger) (*jsonlStore, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("store: jsonl: %w", err)
	}
	s := &jsonlStore{dir: dir, log: log, now: time.Now, readOnly: true, idx: map[string]jsonlEntry{}}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// jsonlHead is the part of a line the index needs.
type jsonlHead struct {
	ID          string     `json:"id"`
	ContentHash string     `json:"content_hash"`
	PublishedAt *time.Time `json:"published_at"`
	Item        struct {
		PublishedAt *time.Time `json:"published_at"`
	} `json:"item"`
	Relevant bool `json:"relevant"`
	Claims   []struct {
		Quantities []json.RawMessage `json:"quantities"`
	} `json:"claims"`
	Stages schema.Stages `json:"stages"`
}

func (h *jsonlHead) article() schema.ArticleTaggedV1 {
	a := schema.ArticleTaggedV1{ID: h.ID, ContentHash: h.ContentHash, PublishedAt: h.PublishedAt, Relevant: h.Relevant, Stages: h.Stages}
	a.Item.PublishedAt = h.Item.PublishedAt
	return a
}

func (s *jsonlStore) load() error {
	paths, err := filepath.Glob(filepath.Join(s.dir, "*.jsonl"))
	if err != nil {
		return fmt.Errorf("store: jsonl: %w", err)
	}
	slices.Sort(paths) // day names sort in time order
	for i, p := range paths {
		s.files = append(s.files, filepath.Base(p))
		if err := s.loadFile(int32(i), p); err != nil {
			return err
		}
	}
	return nil
}

// loadFile indexes one day file and cuts a torn last line off it (a
// reader only skips it: the writer may be half way through that line).
func (s *jsonlStore) loadFile(file int32, path string) error {
	flag := os.O_RDWR
	if s.readOnly {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return fmt.Errorf("store: jsonl: %w", err)
	}
	defer func() { _ = f.Close() }()
	r := bufio.NewReaderSize(f, 256<<10)
	var off int64
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 && !s.readOnly {
				// Only a write cut short leaves a line without its newline.
				s.log.Warn("Torn last line removed.", zap.String("path", path), zap.Int64("offset", off), zap.Int("bytes", len(line)))
				if err := f.Truncate(off); err != nil {
					return fmt.Errorf("store: jsonl: repair %s: %w", path, err)
				}
				if err := f.Sync(); err != nil {
					return fmt.Errorf("store: jsonl: repair %s: %w", path, err)
				}
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: jsonl: read %s: %w", path, err)
		}
		var h jsonlHead
		if err := json.Unmarshal(line, &h); err != nil || h.ID == "" {
			// A whole but unreadable line is not ours to delete; skip it.
			s.log.Warn("Unreadable line skipped.", zap.String("path", path), zap.Int64("offset", off))
		} else {
			a := h.article()
			if prev, ok := s.idx[h.ID]; !ok || newer(prev.hash, prev.fetchedUs, a) {
				s.idx[h.ID] = entryFor(&a, len(h.Claims), countQuantities(&h), file, off, len(line))
			}
		}
		off += int64(len(line))
	}
}

func countQuantities(h *jsonlHead) int {
	n := 0
	for _, c := range h.Claims {
		n += len(c.Quantities)
	}
	return n
}

func entryFor(a *schema.ArticleTaggedV1, claims, quantities int, file int32, off int64, n int) jsonlEntry {
	return jsonlEntry{
		hash: a.ContentHash, fetchedUs: micros(a.Stages.FetchedAt), sortUs: sortMicros(a),
		off: off, n: int32(n), file: file, claims: int32(claims), quantities: int32(quantities), relevant: a.Relevant,
	}
}

func (s *jsonlStore) Upsert(ctx context.Context, batch []schema.ArticleTaggedV1) error {
	p, err := prepare(batch, s.now())
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.readOnly {
		return ErrReadOnly
	}
	// On failure the index goes back to what is known to be durable; lines
	// already appended are harmless: a retry appends the same version again
	// and the index keeps one.
	type undo struct {
		id   string
		prev jsonlEntry
		had  bool
	}
	var undos []undo
	rollback := func() {
		for i := len(undos) - 1; i >= 0; i-- {
			if u := undos[i]; u.had {
				s.idx[u.id] = u.prev
			} else {
				delete(s.idx, u.id)
			}
		}
	}
	for i := range p.articles {
		a := &p.articles[i]
		if err := ctx.Err(); err != nil {
			rollback()
			return fmt.Errorf("store: jsonl: %w", err)
		}
		prev, had := s.idx[a.ID]
		if had && !newer(prev.hash, prev.fetchedUs, *a) {
			continue
		}
		line, err := json.Marshal(a)
		if err != nil {
			rollback()
			return fmt.Errorf("store: jsonl: encode %q: %w", a.ID, err)
		}
		line = append(line, '\n')
		if err := s.openDay(); err != nil {
			rollback()
			return err
		}
		off := s.curSize
		if _, err := s.cur.Write(line); err != nil {
			// Cut a partial line now rather than at the next open.
			_ = s.cur.Truncate(off)
			rollback()
			return fmt.Errorf("store: jsonl: append: %w", err)
		}
		s.curSize += int64(len(line))
		if s.policy == fsyncAlways {
			if err := s.cur.Sync(); err != nil {
				rollback()
				return fmt.Errorf("store: jsonl: fsync: %w", err)
			}
		}
		undos = append(undos, undo{id: a.ID, prev: prev, had: had})
		nq := 0
		for _, c := range a.Claims {
			nq += len(c.Quantities)
		}
		s.idx[a.ID] = entryFor(a, len(a.Claims), nq, s.curFile, off, len(line))
	}
	if len(undos) > 0 && s.policy == fsyncBatch {
		if err := s.cur.Sync(); err != nil {
			rollback()
			return fmt.Errorf("store: jsonl: fsync: %w", err)
		}
	}
	return nil
}

// openDay makes cur the file of the current processing day.
func (s *jsonlStore) openDay() error {
	day := s.now().UTC().Format("2006-01-02")
	if s.cur != nil && day == s.curDay {
		return nil
	}
	if s.cur != nil {
		// The previous day's lines were synced by their batches.
		if err := s.cur.Close(); err != nil {
			return fmt.Errorf("store: jsonl: close %s: %w", s.curDay, err)
		}
		s.cur = nil
	}
	name := day + ".jsonl"
	path := filepath.Join(s.dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("store: jsonl: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("store: jsonl: %w", err)
	}
	file := slices.Index(s.files, name)
	if file < 0 {
		file = len(s.files)
		s.files = append(s.files, name)
		// A new file's directory entry must be durable too.
		if s.policy != fsyncNever {
			if err := syncDir(s.dir); err != nil {
				_ = f.Close()
				return err
			}
		}
	}
	s.cur, s.curDay, s.curFile, s.curSize = f, day, int32(file), st.Size()
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: jsonl: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: jsonl: sync dir: %w", err)
	}
	return nil
}

type jsonlRef struct {
	id string
	e  jsonlEntry
}

// Export reads the latest version of each selected article by its offset.
// Lines appended meanwhile do not move earlier ones, so it runs unlocked.
func (s *jsonlStore) Export(ctx context.Context, f ExportFilter, fn func(schema.ArticleTaggedV1) error) error {
	if f.Query != "" {
		return fmt.Errorf("%w: full-text query", ErrUnsupported)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	since := micros(f.Since)
	sel := make([]jsonlRef, 0, len(s.idx))
	for id, e := range s.idx {
		if (f.RelevantOnly && !e.relevant) || (!f.Since.IsZero() && e.sortUs < since) {
			continue
		}
		sel = append(sel, jsonlRef{id: id, e: e})
	}
	files := slices.Clone(s.files)
	s.mu.Unlock()

	slices.SortFunc(sel, func(x, y jsonlRef) int {
		return cmp.Or(cmp.Compare(x.e.sortUs, y.e.sortUs), strings.Compare(x.id, y.id))
	})
	site := strings.ToLower(f.Site)
	skip := max(f.Offset, 0)
	if site == "" && f.Language == "" {
		// Without a site or language filter the offset needs no decoding.
		sel = sel[min(skip, len(sel)):]
		skip = 0
	}
	open := map[int32]*os.File{}
	defer func() {
		for _, fh := range open {
			_ = fh.Close()
		}
	}()
	var buf []byte
	emitted := 0
	for _, r := range sel {
		if f.Limit > 0 && emitted >= f.Limit {
			break
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("store: jsonl: export: %w", err)
		}
		fh, ok := open[r.e.file]
		if !ok {
			var err error
			if fh, err = os.Open(filepath.Join(s.dir, files[r.e.file])); err != nil {
				return fmt.Errorf("store: jsonl: export: %w", err)
			}
			open[r.e.file] = fh
		}
		buf = slices.Grow(buf[:0], int(r.e.n))[:r.e.n]
		if _, err := fh.ReadAt(buf, r.e.off); err != nil {
			return fmt.Errorf("store: jsonl: export: read %s at %d: %w", files[r.e.file], r.e.off, err)
		}
		var a schema.ArticleTaggedV1
		if err := json.Unmarshal(buf, &a); err != nil {
			return fmt.Errorf("store: jsonl: export: decode %s at %d: %w", files[r.e.file], r.e.off, err)
		}
		if site != "" && siteOf(&a) != site || !LanguageMatches(a.Language, f.Language) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if err := fn(a); err != nil {
			return err
		}
		emitted++
	}
	return nil
}

// Claims scans the exported articles: fine for a day's files, slow for
// years of them; query a database for that.
func (s *jsonlStore) Claims(ctx context.Context, f ClaimFilter) ([]ClaimRow, error) {
	return claimsByScan(ctx, s, f)
}

func (s *jsonlStore) Stats(context.Context) (Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Stats{}, ErrClosed
	}
	st := Stats{Articles: int64(len(s.idx))}
	for _, e := range s.idx {
		if e.relevant {
			st.Relevant++
		}
		st.Claims += int64(e.claims)
		st.Quantities += int64(e.quantities)
	}
	return st, nil
}

func (s *jsonlStore) Where() string { return "jsonl " + s.dir }

func (s *jsonlStore) Ping(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if _, err := os.Stat(s.dir); err != nil {
		return fmt.Errorf("store: jsonl: ping: %w", err)
	}
	return nil
}

func (s *jsonlStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.cur != nil {
		if s.policy != fsyncNever {
			errs = append(errs, s.cur.Sync())
		}
		errs = append(errs, s.cur.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.unlock())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: jsonl: close: %w", err)
	}
	return nil
}
