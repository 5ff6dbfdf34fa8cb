#!/usr/bin/env bash
# Regenerates the claim desk's test inputs with the real pipeline, so they
# follow the tagger. Run from anywhere in the repository after `make build`;
# review the diff like code.
#
#   recording.jsonl.gz  the bundled recording replayed (`make run`) and exported
#   repeats.jsonl       repeats/*.json (hand-written articles that repeat seed
#                       figures) tagged by `tagger tag`
#
# Stage times are fixed so a regeneration only shows real changes.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
dir=services/sink/internal/desk/ledger/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stages='.stages = {fetched_at: "2025-06-02T06:00:00Z", cleaned_at: "2025-06-02T06:00:00Z", tagged_at: "2025-06-02T06:00:00Z"}'

bin/newsflow run --bin bin --data "$tmp/data" --replay testdata/recording >"$tmp/run.log" 2>&1 ||
  { cat "$tmp/run.log"; exit 1; }
bin/sink export --db "sqlite:$tmp/data/newsflow.db" | jq -c "select(.url | test(\"[.]example/\") | not) | $stages" | gzip -9n >"$dir/recording.jsonl.gz"
for f in "$dir"/repeats/*.json; do
  bin/tagger tag --format json <"$f" | jq -c "$stages"
done >"$dir/repeats.jsonl"
echo "regenerated: $(zcat "$dir/recording.jsonl.gz" | wc -l) recorded articles, $(wc -l <"$dir/repeats.jsonl") repeats"
