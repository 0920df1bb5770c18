#!/usr/bin/env bash
# Writes nginx-paths.sgp (nginx.sgp with fs, net and scope rules) for a port, a document root,
# a run directory and the nginx.conf that render.sh wrote for them.
# Usage: render_paths.sh PORT ROOT RUN CONF > nginx-paths.sgp
set -euo pipefail
(($# == 4)) || { echo "usage: render_paths.sh PORT ROOT RUN CONF > nginx-paths.sgp" >&2; exit 2; }
# The values become policy text: a path with ',' or ';' would add rules of its own. Only plain
# absolute paths and a port number are taken.
[[ $1 =~ ^[0-9]{1,5}$ ]] || { echo "render_paths.sh: '$1' is not a port number" >&2; exit 2; }
for p in "$2" "$3" "$4"; do
  [[ $p =~ ^/[A-Za-z0-9/._+-]*$ ]] || { echo "render_paths.sh: '$p' is not an absolute path of letters, digits and / . _ + -" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")" && pwd)
[[ $here =~ ^/[A-Za-z0-9/._+-]*$ ]] || { echo "render_paths.sh: cannot include nginx.sgp from '$here'" >&2; exit 2; }
sed -e "s|@PORT@|$1|g" -e "s|@ROOT@|$2|g" -e "s|@RUN@|$3|g" -e "s|@CONF@|$4|g" \
    -e "s|@POLICY@|$here/nginx.sgp|g" "$here/nginx-paths.sgp.in"
