package markup

import "sync"

// maxPooledPage: a buffer grown past this by a rare huge page is dropped,
// not kept for the pages after it.
const maxPooledPage = 2 << 20

var pageBuffers = sync.Pool{New: func() any { return new([]byte) }}

// GetPageBuffer returns a reusable buffer for a page on its way through
// StripPage or Trim and schema's SetHTMLBuffer, HTMLBuffer or AppendFetched: a page is
// 100-200 KB, and allocating (and zeroing) such buffers per message cost a
// sixth of the fetcher's serialisation CPU. Store what the buffer grew to
// back in it, and give it back with PutPageBuffer once nothing aliases it.
func GetPageBuffer() *[]byte { return pageBuffers.Get().(*[]byte) }

// PutPageBuffer gives a buffer back for reuse, unless it grew past 2 MiB.
func PutPageBuffer(b *[]byte) {
	if cap(*b) <= maxPooledPage {
		pageBuffers.Put(b)
	}
}
