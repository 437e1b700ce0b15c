#!/bin/sh
# store-engines.sh - bench_store_engines with a throw-away PostgreSQL
# (being written)
set -u
builddir=$(cd "${1:-.}" && pwd)
exec "$builddir/bench/bench_store_engines"
