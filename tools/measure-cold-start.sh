#!/usr/bin/env bash
# A newcomer's first `npm start`, measured: a fresh clone of this repository's HEAD with an empty
# Go module cache, Go build cache and tracelab cache (npm's own cache is kept). Prints each
# component's build time and the seconds from the command to "tracelab is running", then stops
# the stack and removes the Go caches. Needs the stack's ports free (docs/backends.md).
set -euo pipefail
work=$(mktemp -d /tmp/tracelab-cold.XXXX)
git clone -q "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)" "$work/repo"
cd "$work/repo"
export GOMODCACHE=$work/gomod GOCACHE=$work/gocache XDG_CACHE_HOME=$work/xdg
echo "commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg), output in $work/start.log"
started=$(date +%s)
npm start >"$work/start.log" 2>&1 &
npm_pid=$!
until grep -q 'tracelab is running' "$work/start.log"; do
  if ! kill -0 "$npm_pid" 2>/dev/null; then
    echo "npm start exited before the stack was ready:" >&2
    tail -20 "$work/start.log" >&2
    exit 1
  fi
  sleep 2
done
echo "ready after $(($(date +%s) - started)) s"
grep -E '^\[backends\] built' "$work/start.log"
# The runner itself (not npm's `sh -c` around it) stops the stack on SIGINT.
pkill -INT -f '^node dist/tools/cli/stack.js up'
wait "$npm_pid" || true
chmod -R u+w "$work/gomod"
rm -rf "$work/gomod" "$work/gocache"
