package gold

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadDir(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		files   map[string]string
		want    string // File of the first article
		wantErr error
	}{
		{"gold.json first", map[string]string{"gold.json": `[{"file":"a.txt"}]`, "labels.json": `[{"file":"b.txt"}]`}, "a.txt", nil},
		{"labels.json else", map[string]string{"labels.json": `[{"file":"b.txt"}]`}, "b.txt", nil},
		{"none", nil, "", ErrNoLabels},
		{"broken", map[string]string{"gold.json": `[{`}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for n, b := range tc.files {
				write(t, dir, n, b)
			}
			arts, err := ReadDir(dir)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.want == "":
				if err == nil {
					t.Fatal("no error for broken labels")
				}
			case err != nil:
				t.Fatal(err)
			case len(arts) != 1 || arts[0].File != tc.want:
				t.Fatalf("got %+v, want %s", arts, tc.want)
			}
		})
	}
}

func TestReadSeedsNeedsURLs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "gold.json", `[{"file":"000_x.txt"},{"file":"001_y.txt"}]`)
	write(t, dir, "html/urls.json", `{"000_x":"https://example.com/x"}`)
	if _, err := ReadSeeds(dir); err == nil {
		t.Fatal("no error for a seed without a URL")
	}
	write(t, dir, "html/urls.json", `{"000_x":"https://example.com/x","001_y":"https://example.com/y"}`)
	arts, err := ReadSeeds(dir)
	if err != nil {
		t.Fatal(err)
	}
	if arts[1].URL != "https://example.com/y" {
		t.Errorf("URL = %q", arts[1].URL)
	}
}

// TestSeeds reads the repository's seed labels: every seed has a URL and
// claims, and ranges carry both ends.
func TestSeeds(t *testing.T) {
	t.Parallel()
	arts, err := ReadSeeds(testkit.Testdata("seeds"))
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) == 0 {
		t.Fatal("no seeds")
	}
	for _, a := range arts {
		for _, c := range a.Claims {
			for _, q := range c.Quantities {
				if q.Value == nil && (q.Low == nil || q.High == nil) {
					t.Errorf("%s: quantity %q has neither a value nor a range", a.File, q.Raw)
				}
			}
		}
	}
}
