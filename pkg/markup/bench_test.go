package markup

import "testing"

// BenchmarkStrip strips the benchmark corpus's and the seed pages, as the
// fetcher does before publishing; MB/s is of pages as fetched.
func BenchmarkStrip(b *testing.B) {
	benchFilter(b, Strip)
}

// BenchmarkTrim trims them, as the cleaner does before parsing.
func BenchmarkTrim(b *testing.B) {
	benchFilter(b, Trim)
}

func benchFilter(b *testing.B, f func(dst, src []byte) []byte) {
	pages := realPages(b)
	var n int64
	for _, p := range pages {
		n += int64(len(p))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	var dst []byte
	for b.Loop() {
		for _, p := range pages {
			dst = f(dst[:0], p)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pages)), "ns/page")
}
