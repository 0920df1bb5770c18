#!/usr/bin/env bash
# Writes nginx-paths.sgp (nginx.sgp with fs, net and scope rules) for a port, a document root,
# a run directory and the nginx.conf that render.sh wrote for them.
# Usage: render_paths.sh PORT ROOT RUN CONF > nginx-paths.sgp
set -euo pipefail
(($# == 4)) || { echo "usage: render_paths.sh PORT ROOT RUN CONF > nginx-paths.sgp" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
sed -e "s|@PORT@|$1|g" -e "s|@ROOT@|$2|g" -e "s|@RUN@|$3|g" -e "s|@CONF@|$4|g" \
    -e "s|@POLICY@|$here/nginx.sgp|g" "$here/nginx-paths.sgp.in"
