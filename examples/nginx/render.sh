#!/usr/bin/env bash
# Writes examples/nginx's nginx.conf for a port, a document root and a run directory.
# Usage: render.sh PORT ROOT RUN > nginx.conf
set -euo pipefail
(($# == 3)) || { echo "usage: render.sh PORT ROOT RUN > nginx.conf" >&2; exit 2; }
[[ $1 =~ ^[0-9]{1,5}$ ]] || { echo "render.sh: '$1' is not a port number" >&2; exit 2; }
for p in "$2" "$3"; do
  [[ $p =~ ^/[A-Za-z0-9/._+-]*$ ]] || { echo "render.sh: '$p' is not an absolute path of letters, digits and / . _ + -" >&2; exit 2; }
done
sed -e "s|@PORT@|$1|g" -e "s|@ROOT@|$2|g" -e "s|@RUN@|$3|g" "$(dirname "$0")/nginx.conf.in"
