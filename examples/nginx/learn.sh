#!/usr/bin/env bash
# Learns what nginx needs: runs it under `sysgate learn --args` while clients fetch files (curl,
# and wrk when installed), reloads it (SIGHUP), fetches again and stops it gracefully (SIGQUIT).
# The learned policy is where examples/nginx/nginx.sgp started (docs/tutorial-web-server.md).
# Usage: learn.sh SYSGATE OUT.sgp [PORT]
set -euo pipefail
(($# >= 2)) || { echo "usage: learn.sh SYSGATE OUT.sgp [PORT]" >&2; exit 2; }
sysgate=$(realpath "$1") out=$2 port=${3:-18080}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$here/make_site.sh" "$work/site"
mkdir -p "$work/run"
chmod 755 "$work" "$work/run"   # the workers run as nobody
"$here/render.sh" "$port" "$work/site" "$work/run" > "$work/nginx.conf"

"$sysgate" learn --args --counts "$out.counts" -o "$out" -- \
  nginx -c "$work/nginx.conf" -p "$work/run/" &
pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done

fetch_all() {
  for f in / /index.html /style.css /big.bin /sub/page.html; do curl -sf -o /dev/null "$url$f"; done
  curl -sf -o /dev/null -I "$url/big.bin"                       # HEAD
  curl -sf -o /dev/null -r 100-199 "$url/big.bin"               # a range
  curl -s -o /dev/null "$url/missing"                           # 404
  curl -s -o /dev/null -H 'If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT' "$url/index.html"  # 304
  curl -s -o /dev/null -X POST -d x=1 "$url/index.html"         # 405
  if command -v wrk >/dev/null; then wrk -t2 -c16 -d2s "$url/index.html" >/dev/null; fi
}
fetch_all
kill -HUP "$pid"          # reload: new workers, old ones finish and leave
sleep 1
fetch_all
kill -QUIT "$pid"         # graceful stop
wait "$pid"
