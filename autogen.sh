#!/bin/sh
# autogen.sh - make ./configure from a git checkout (releases ship it).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
