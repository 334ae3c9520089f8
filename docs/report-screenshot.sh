#!/usr/bin/env bash
# Makes docs/report.png, the README's picture of `scrapy report`: three `scrapy demo` runs in a
# temporary folder (progress sampled every quarter second), their report, the latest run first,
# and a screenshot of it in headless Chromium (Debian's chromium package; any http(s) request
# would go to a closed local port).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export SCRAPY_SETTINGS_MODULE=docspider.settings
for _ in 1 2 3; do
  "$root/.venv/bin/scrapy" demo -s DOCSPIDER_PROGRESS_INTERVAL=0.25 >/dev/null 2>&1
done
mapfile -t records < <(find output/demo/runs -name '*.json' | sort -r)
"$root/.venv/bin/scrapy" report "${records[@]}" -o report.html
chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --proxy-server=127.0.0.1:9 --user-data-dir="$work/profile" \
  --hide-scrollbars --screenshot="$root/docs/report.png" --window-size=1200,2000 \
  "file://$work/report.html" 2>/dev/null
echo "$root/docs/report.png"
