// Package gold reads the hand-labelled articles of testdata/seeds/gold.json
// and the labels.json files written in the same format beside the
// tagger's tests. The tagger's eval scores against them and the ledger's
// tests look up seed figures in them; both read them here so that the
// format is written once.
//
// It returns errors rather than taking a testing.TB, because the tagger's
// eval is a library that `make eval` drives through its tests.
package gold

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoLabels is returned for a directory without gold.json or labels.json.
var ErrNoLabels = errors.New("gold: no labels")

// Article is one labelled article.
type Article struct {
	File     string   `json:"file"`
	Kind     string   `json:"kind,omitempty"`
	Relevant bool     `json:"relevant"`
	Tags     []string `json:"tags"`
	Title    *string  `json:"title"`
	Chrome   []string `json:"chrome"`
	Claims   []Claim  `json:"claims"`
	// URL is the address the seed was recorded under, from
	// html/urls.json; only ReadSeeds sets it.
	URL string `json:"-"`
}

// Claim is a labelled claim.
type Claim struct {
	Text       string     `json:"text"`
	Speaker    []string   `json:"speaker"`
	Via        string     `json:"via,omitempty"`
	Quantities []Quantity `json:"quantities"`
	Places     []string   `json:"places"`
}

// Quantity is a labelled quantity: a point Value, or a range Low..High.
type Quantity struct {
	Value     *float64 `json:"value"`
	Low       *float64 `json:"low"`
	High      *float64 `json:"high"`
	Unit      string   `json:"unit"`
	Qualifier string   `json:"qualifier"`
	Raw       string   `json:"raw"`
}

// ReadDir reads the labels of a directory: gold.json, or else labels.json.
// Article.File names a text file in that directory.
func ReadDir(dir string) ([]Article, error) {
	for _, name := range []string{"gold.json", "labels.json"} {
		path := filepath.Join(dir, name)
		var arts []Article
		err := readJSON(path, &arts)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return arts, nil
	}
	return nil, fmt.Errorf("%w in %s", ErrNoLabels, dir)
}

// ReadSeeds reads the seed articles' labels (dir is testdata/seeds) and
// gives each the URL it was recorded under, from html/urls.json; a seed
// without one is an error.
func ReadSeeds(dir string) ([]Article, error) {
	arts, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var urls map[string]string
	if err := readJSON(filepath.Join(dir, "html", "urls.json"), &urls); err != nil {
		return nil, err
	}
	for i := range arts {
		base := strings.TrimSuffix(arts[i].File, filepath.Ext(arts[i].File))
		arts[i].URL = urls[base]
		if arts[i].URL == "" {
			return nil, fmt.Errorf("gold: no URL for seed %s in %s", arts[i].File, filepath.Join(dir, "html", "urls.json"))
		}
	}
	return arts, nil
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("gold: read labels: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("gold: decode %s: %w", path, err)
	}
	return nil
}
