#!/usr/bin/env bash
# The cost of the filters to web servers, in one run: requests per second, measured with wrk on
# loopback, for nginx alone, under `sysgate run -p examples/nginx/nginx.sgp` and under its fs
# and net rules too (nginx-paths.sgp, Landlock), and for examples/web-server with --no-filter,
# with its syscall rules alone (--no-fs-rules) and locked down (both). The configurations take turns, round
# after round, so that the machine's drift hits them all; medians and ratios are printed.
# Usage: bench/web_bench.sh BUILD_DIR [ROUNDS] [SECONDS]
set -euo pipefail
build=$(realpath "$1") rounds=${2:-5} seconds=${3:-3}
src=$(cd "$(dirname "$0")/.." && pwd)
sg=$build/tools/sysgate/sysgate
server=$build/examples/example_web_server
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "web_bench: $tool is not installed (make deps); skipped"; exit 0; }
done
# Servers on one CPU, wrk on another, when there are two: less noise from the two competing.
server_cpu=() client_cpu=()
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
fi
work=$(mktemp -d)
chmod 755 "$work"
pids=()
# The servers started inside $(...) are not in pids (a subshell's array): every process whose
# command line names the work directory goes too.
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -f -- "$work" 2>/dev/null || true
      wait 2>/dev/null; rm -rf "$work"' EXIT
"$src/examples/nginx/make_site.sh" "$work/site"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "web_bench: $1 did not come up" >&2; exit 1; }

# nginx, twice: alone and under the filter (each its own run directory and port).
nginx_start() {  # NAME WRAPPER... -> prints the URL
  local name=$1 port
  shift
  port=$(free_port)
  mkdir -p "$work/$name"
  chmod 755 "$work/$name"
  "$src/examples/nginx/render.sh" "$port" "$work/site" "$work/$name" > "$work/$name.conf"
  "${server_cpu[@]}" "$@" nginx -c "$work/$name.conf" -p "$work/$name/" >/dev/null 2>"$work/$name.err" &
  pids+=($!)
  echo "http://127.0.0.1:$port"
}
nginx_plain=$(nginx_start nginx-plain)
nginx_filtered=$(nginx_start nginx-filtered "$sg" run -q -p "$src/examples/nginx/nginx.sgp" --)
# nginx-paths.sgp names its port, root, run directory and configuration: rendered for this run.
paths_port=$(free_port)
mkdir -p "$work/nginx-paths"
chmod 755 "$work/nginx-paths"
"$src/examples/nginx/render.sh" "$paths_port" "$work/site" "$work/nginx-paths" > "$work/nginx-paths.conf"
"$src/examples/nginx/render_paths.sh" "$paths_port" "$work/site" "$work/nginx-paths" "$work/nginx-paths.conf" > "$work/nginx-paths.sgp"
"${server_cpu[@]}" "$sg" run -q -p "$work/nginx-paths.sgp" -- nginx -c "$work/nginx-paths.conf" -p "$work/nginx-paths/" \
  >/dev/null 2>"$work/nginx-paths.err" &
pids+=($!)
nginx_paths=http://127.0.0.1:$paths_port
server_start() {  # NAME ARGS... -> prints the URL
  local name=$1
  shift
  "${server_cpu[@]}" "$server" --root "$work/site" --port 0 "$@" > "$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$work/$name.out" 2>/dev/null && break; sleep 0.05; done
  echo "http://127.0.0.1:$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.out")"
}
ours_plain=$(server_start ours-plain --no-filter)
ours_syscalls=$(server_start ours-syscalls --no-fs-rules)
ours_filtered=$(server_start ours-filtered)
names=(nginx-plain nginx-filtered nginx-paths ours-plain ours-syscalls ours-filtered)
urls=("$nginx_plain" "$nginx_filtered" "$nginx_paths" "$ours_plain" "$ours_syscalls" "$ours_filtered")
for u in "${urls[@]}"; do wait_up "$u/"; done
for ((r = 0; r < rounds; r++)); do
  for i in "${!names[@]}"; do
    "${client_cpu[@]}" wrk -t2 -c32 -d"${seconds}s" "${urls[$i]}/index.html" | sed -n 's/^Requests\/sec: *//p' >> "$work/${names[$i]}.rps"
  done
done
/usr/bin/python3 - "$work" "$rounds" "$seconds" <<'PY'
import statistics, sys
work, rounds, seconds = sys.argv[1], sys.argv[2], sys.argv[3]
rps = {n: [float(x) for x in open(f"{work}/{n}.rps")] for n in
       ("nginx-plain", "nginx-filtered", "nginx-paths", "ours-plain", "ours-syscalls", "ours-filtered")}
print(f"Web servers with and without their filters: wrk -t2 -c32, {seconds} s x {rounds} rounds, "
      "GET /index.html on loopback, servers and wrk on separate CPUs (median requests/s)")
print(f"  {'server':<28}{'no filter':>12}{'filter':>12}{'ratio':>8}{'cost':>8}   spread (min-max, % of median)")
for label, a, b in (("nginx (sysgate run -p)", "nginx-plain", "nginx-filtered"),
                    ("nginx, fs and net rules too", "nginx-plain", "nginx-paths"),
                    ("examples/web-server, syscalls", "ours-plain", "ours-syscalls"),
                    ("examples/web-server, both", "ours-plain", "ours-filtered")):
    pa, pb = statistics.median(rps[a]), statistics.median(rps[b])
    spread = lambda xs: (max(xs) - min(xs)) / statistics.median(xs) * 100
    print(f"  {label:<28}{pa:>12.0f}{pb:>12.0f}{pb / pa:>8.3f}{(1 - pb / pa) * 100:>7.1f}%"
          f"   {spread(rps[a]):.0f}% / {spread(rps[b]):.0f}%")
print("  target: the filter costs under 2% of throughput")
PY
