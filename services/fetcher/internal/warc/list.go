package warc

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// List writes one line per record of the WARC file, directory or glob at path: offset,
// type, HTTP status (or method, for requests), block size in bytes and target URI. It is
// `fetcher warc ls`. Records before a damaged one are listed, then its *RecordError returned.
func List(path string, w io.Writer) error {
	names, err := expandPath(path)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFSET\tTYPE\tSTATUS\tSIZE\tURI")
	for _, name := range names {
		if len(names) > 1 {
			fmt.Fprintf(tw, "# %s\t\t\t\t\n", name)
		}
		err := scanFile(name, func(s *scanned) error {
			typ := s.header.Get("WARC-Type")
			uri := strings.TrimSuffix(strings.TrimPrefix(s.header.Get("WARC-Target-URI"), "<"), ">")
			if uri == "" {
				uri = s.header.Get("WARC-Filename")
			}
			off := "-"
			if s.offset >= 0 {
				off = fmt.Sprint(s.offset)
			}
			_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", off, typ, statusOf(typ, s.block), len(s.block), uri)
			return err
		})
		if err != nil {
			_ = tw.Flush()
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("warc: ls: %w", err)
	}
	return nil
}

// statusOf is the HTTP status code of a response or revisit, the method of a request.
func statusOf(typ string, block []byte) string {
	line, _, _ := bytes.Cut(block, []byte("\r\n"))
	fields := strings.Fields(string(line))
	switch strings.ToLower(typ) {
	case "response", "revisit":
		if len(fields) >= 2 && strings.HasPrefix(fields[0], "HTTP/") {
			return fields[1]
		}
	case "request":
		if len(fields) >= 1 {
			return fields[0]
		}
	}
	return "-"
}
