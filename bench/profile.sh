#!/usr/bin/env bash
# CPU profile of the request path (bench/PROFILE.md): the built server (dist/, `npm run build`
# first) under autocannon, one profile per route, summarised by bench/profile-summary.js.
#
#   ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres bench/profile.sh [seconds] [out folder]
#
# A scratch database gatehouse_prof_<random> is created on ADMIN_URL and dropped at the end.
# The server runs with the bench's settings (NODE_ENV=production, LOG_LEVEL=warn, MALLOC_ARENA_MAX=1).
# PROFILE_LOG_LEVEL=info profiles with the access log written (to /dev/null).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_ROUTE=${1:-10}
OUT=${2:-$(mktemp -d /tmp/gatehouse-prof.XXXXXX)}
ADMIN_URL=${ADMIN_URL:-${TEST_DATABASE_URL:?set ADMIN_URL or TEST_DATABASE_URL}}
DB=gatehouse_prof_$RANDOM$RANDOM
BASE_URL=${ADMIN_URL%/*}
PORT=${PROFILE_PORT:-3917}
DATA=$(mktemp -d /tmp/gatehouse-prof-data.XXXXXX)
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -rf "$DATA"' EXIT

profile() { # profile <name> <autocannon args…>
  local name=$1
  shift
  mkdir -p "$OUT/$name"
  NODE_ENV=production MALLOC_ARENA_MAX=1 UV_THREADPOOL_SIZE=4 HOST=127.0.0.1 PORT=$PORT DATA_DIR=$DATA \
    DATABASE_URL=$BASE_URL/$DB JWT_SECRET=profile-secret-profile-secret-0123456789 \
    LOG_LEVEL=${PROFILE_LOG_LEVEL:-warn} SESSION_IDLE_TIMEOUT_SECONDS=40 \
    node --cpu-prof --cpu-prof-dir="$OUT/$name" dist/main.js >/dev/null 2>"$OUT/$name/stderr" &
  local pid=$!
  until curl -fs "http://127.0.0.1:$PORT/api/health/live" >/dev/null; do sleep 0.2; done
  npx autocannon -c 50 -d 3 "$@" >/dev/null 2>&1 # warm-up, not profiled apart (a small share)
  npx autocannon -c 50 -d "$SECONDS_PER_ROUTE" "$@" 2>&1 | grep -E 'Req/Sec|Latency|requests in' >"$OUT/$name/autocannon.txt"
  kill -INT $pid
  wait $pid || true
  node bench/profile-summary.js "$OUT/$name" 30 >"$OUT/$name/summary.md"
  echo "$name: $OUT/$name/summary.md"
}

profile live "http://127.0.0.1:$PORT/api/health/live"

# One approved user (the first one becomes superuser) and a token for /whoami.
start_for_token() {
  NODE_ENV=production HOST=127.0.0.1 PORT=$PORT DATA_DIR=$DATA DATABASE_URL=$BASE_URL/$DB \
    JWT_SECRET=profile-secret-profile-secret-0123456789 LOG_LEVEL=warn node dist/main.js >/dev/null 2>&1 &
  local pid=$!
  until curl -fs "http://127.0.0.1:$PORT/api/health/live" >/dev/null; do sleep 0.2; done
  curl -fs -XPOST -H 'content-type: application/json' "http://127.0.0.1:$PORT/api/register" \
    -d '{"username":"profiler","email":"profiler@example.org","password":"Correct-Horse-42-battery"}' >/dev/null || true
  kill -INT $pid
  wait $pid || true
}
start_for_token
TOKEN_FILE=$OUT/token
# The token is taken by the profiled server's own login, so that its session is live.
profile_whoami() {
  mkdir -p "$OUT/whoami"
  NODE_ENV=production MALLOC_ARENA_MAX=1 UV_THREADPOOL_SIZE=4 HOST=127.0.0.1 PORT=$PORT DATA_DIR=$DATA \
    DATABASE_URL=$BASE_URL/$DB JWT_SECRET=profile-secret-profile-secret-0123456789 \
    LOG_LEVEL=${PROFILE_LOG_LEVEL:-warn} SESSION_IDLE_TIMEOUT_SECONDS=40 \
    node --cpu-prof --cpu-prof-dir="$OUT/whoami" dist/main.js >/dev/null 2>"$OUT/whoami/stderr" &
  local pid=$!
  until curl -fs "http://127.0.0.1:$PORT/api/health/live" >/dev/null; do sleep 0.2; done
  curl -fs -XPOST -H 'content-type: application/json' "http://127.0.0.1:$PORT/api/login" \
    -d '{"username_or_email":"profiler","password":"Correct-Horse-42-battery"}' |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).access_token))' >"$TOKEN_FILE"
  local auth="Authorization: Bearer $(cat "$TOKEN_FILE")"
  npx autocannon -c 50 -d 3 -H "$auth" "http://127.0.0.1:$PORT/api/whoami" >/dev/null 2>&1
  npx autocannon -c 50 -d "$SECONDS_PER_ROUTE" -H "$auth" "http://127.0.0.1:$PORT/api/whoami" 2>&1 |
    grep -E 'Req/Sec|Latency|requests in|non 2xx' >"$OUT/whoami/autocannon.txt"
  kill -INT $pid
  wait $pid || true
  node bench/profile-summary.js "$OUT/whoami" 30 >"$OUT/whoami/summary.md"
  echo "whoami: $OUT/whoami/summary.md"
}
profile_whoami
