#!/usr/bin/env bash
# Writes examples/nginx's nginx.conf for a port, a document root and a run directory.
# Usage: render.sh PORT ROOT RUN > nginx.conf
set -euo pipefail
(($# == 3)) || { echo "usage: render.sh PORT ROOT RUN > nginx.conf" >&2; exit 2; }
sed -e "s|@PORT@|$1|g" -e "s|@ROOT@|$2|g" -e "s|@RUN@|$3|g" "$(dirname "$0")/nginx.conf.in"
