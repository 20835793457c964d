#!/usr/bin/env bash
# A newcomer's first `npm start`, measured: a fresh clone of this repository's HEAD with an empty
# Go module cache, Go build cache and tracelab cache (npm's own cache is kept). Prints the seconds
# from the command to the first trace visible in the console (when `npm start` says it can be
# seen, this script sends a request, waits until the console serves its trace and, when
# /usr/bin/chromium is there, until the trace page shows it in Chromium) and to "tracelab is running" (all
# ready), each component's build time, then stops the stack and removes the Go caches. Needs the
# stack's ports free (docs/backends.md).
set -euo pipefail
work=$(mktemp -d /tmp/tracelab-cold.XXXX)
git clone -q "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)" "$work/repo"
cd "$work/repo"
export GOMODCACHE=$work/gomod GOCACHE=$work/gocache XDG_CACHE_HOME=$work/xdg
echo "commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg), output in $work/start.log"
started=$(date +%s)
npm start >"$work/start.log" 2>&1 &
npm_pid=$!

# Waits for a line of npm start's output; fails when npm start ended first.
wait_for_line() {
  until grep -q "$1" "$work/start.log"; do
    if ! kill -0 "$npm_pid" 2>/dev/null; then
      echo "npm start exited before \"$1\":" >&2
      tail -20 "$work/start.log" >&2
      exit 1
    fi
    sleep 2
  done
}

wait_for_line '^The first trace can be seen:'
trace_id=$(curl -s --retry 5 --retry-connrefused -X POST http://127.0.0.1:8080/v1/predict -H 'content-type: application/json' \
  -d '{"customer_id":"c-42","features":{"tenure_months":3,"monthly_spend":120,"support_tickets":2,"plan":"basic"}}' |
  sed -E 's/.*"trace_id":"([0-9a-f]{32})".*/\1/')
deadline=$(($(date +%s) + 120))
# What the trace page reads; captured first (grep -q closing a pipe early would fail it).
until [[ "$(curl -sf "http://127.0.0.1:8090/api/proxy/jaeger/api/traces/$trace_id" || true)" == *'"spanID"'* ]]; do
  if (($(date +%s) > deadline)); then
    echo "trace $trace_id not in the console within 120 s" >&2
    exit 1
  fi
  sleep 1
done
if [ -x /usr/bin/chromium ]; then
  # The trace page in Chromium (the project's playwright-core), until its waterfall shows a span.
  node -e "
    const { chromium } = require('playwright-core');
    (async () => {
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
      const page = await browser.newPage();
      await page.goto('http://127.0.0.1:8090/trace/$trace_id');
      await page.getByText('POST /v1/predict').first().waitFor({ timeout: 60000 });
      await browser.close();
    })().catch((error) => { console.error(String(error)); process.exit(1); });"
fi
first=$(($(date +%s) - started))
echo "first trace visible in the console after $first s (trace $trace_id)"

wait_for_line '^tracelab is running'
echo "all ready after $(($(date +%s) - started)) s"
grep -E '^\[backends\] built' "$work/start.log"
# The runner itself (not npm's `sh -c` around it) stops the stack on SIGINT: this npm's own
# descendant, never another stack on the machine.
descendants() { for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }
for pid in $(descendants "$npm_pid"); do
  if grep -q 'dist/tools/cli/stack.js' "/proc/$pid/cmdline" 2>/dev/null; then kill -INT "$pid"; fi
done
wait "$npm_pid" || true
chmod -R u+w "$work/gomod"
rm -rf "$work/gomod" "$work/gocache"
