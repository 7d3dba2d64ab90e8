#!/usr/bin/env bash
# Regenerates docs/balance.md: the balance report of every scenario in the campaign,
# in campaign order. Run from the repository root: `bash docs/balance.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/thin-margin"
ids=$(grep -o 'id: "[^"]*"' scenarios/campaign.ron | sed 's/id: "\(.*\)"/\1/')
{
  cat docs/balance-intro.md
  for id in $ids; do
    echo
    "$bin" balance "$id" --format markdown
  done
} > docs/balance.md
echo "wrote docs/balance.md"
