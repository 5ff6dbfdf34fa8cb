package warc

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// memberWriter is the Compressor handed to gowarc's Writer: one gzip member per record.
//
// gowarc serialises a record's header fields by ranging over a Go map, so their order
// changes from run to run. memberWriter holds back the header block, sorts its fields into
// a fixed order (WARC-Type first, Content-Length last) and then streams the rest, which
// makes a recording made with a fixed clock and fixed record ids byte-reproducible.
type memberWriter struct {
	gz     *gzip.Writer
	head   []byte
	inBody bool
}

func newMemberWriter(w io.Writer) *memberWriter {
	return &memberWriter{gz: gzip.NewWriter(w)}
}

const headEnd = "\r\n\r\n"

func (m *memberWriter) Write(p []byte) (int, error) {
	if m.inBody {
		return m.gz.Write(p)
	}
	m.head = append(m.head, p...)
	i := bytes.Index(m.head, []byte(headEnd))
	if i < 0 {
		return len(p), nil
	}
	m.inBody = true
	if _, err := m.gz.Write(canonicalHeader(m.head[:i+len(headEnd)])); err != nil {
		return 0, err
	}
	if rest := m.head[i+len(headEnd):]; len(rest) > 0 {
		if _, err := m.gz.Write(rest); err != nil {
			return 0, err
		}
	}
	m.head = m.head[:0]
	return len(p), nil
}

// Close ends the gzip member. gowarc calls it after every record.
func (m *memberWriter) Close() error {
	if !m.inBody && len(m.head) > 0 {
		if _, err := m.gz.Write(m.head); err != nil {
			return err
		}
	}
	m.head, m.inBody = m.head[:0], false
	return m.gz.Close()
}

// Reset starts a new member on w. It must be called before each record, since Close
// above ends the previous member for good.
func (m *memberWriter) Reset(w io.Writer) {
	m.gz.Reset(w)
	m.head, m.inBody = m.head[:0], false
}

// fieldRank orders well-known WARC fields the way people read them; other fields sort
// by name after them, and Content-Type and Content-Length come last.
func fieldRank(name string) int {
	switch strings.ToLower(name) {
	case "warc-type":
		return 0
	case "warc-record-id":
		return 1
	case "warc-date":
		return 2
	case "warc-target-uri":
		return 3
	case "warc-filename":
		return 4
	case "warc-concurrent-to":
		return 5
	case "warc-refers-to":
		return 6
	case "warc-warcinfo-id":
		return 7
	case "warc-ip-address":
		return 8
	case "warc-truncated":
		return 9
	case "warc-payload-digest":
		return 10
	case "warc-block-digest":
		return 11
	case "content-type":
		return 1000
	case "content-length":
		return 1001
	}
	return 500
}

// canonicalHeader reorders the fields of a header block "WARC/1.1\r\nK: V\r\n...\r\n\r\n".
func canonicalHeader(block []byte) []byte {
	lines := strings.Split(strings.TrimSuffix(string(block), "\r\n\r\n"), "\r\n")
	if len(lines) < 2 {
		return block
	}
	fields := lines[1:]
	name := func(l string) string { k, _, _ := strings.Cut(l, ":"); return k }
	slices.SortStableFunc(fields, func(a, b string) int {
		ra, rb := fieldRank(name(a)), fieldRank(name(b))
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(strings.ToLower(name(a)), strings.ToLower(name(b)))
	})
	var out bytes.Buffer
	out.Grow(len(block))
	out.WriteString(lines[0])
	out.WriteString("\r\n")
	for _, f := range fields {
		out.WriteString(f)
		out.WriteString("\r\n")
	}
	out.WriteString("\r\n")
	return out.Bytes()
}
