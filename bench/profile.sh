#!/usr/bin/env bash
# CPU profiles of the request path (bench/PROFILE.md): the built server (dist/, `npm run build`
# first) under autocannon, one server and one profile per route, summarised by
# bench/profile-summary.js.
#
#   ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres bench/profile.sh [seconds] [out folder] [routes]
#
# routes: any of live whoami login register (default: all four). A scratch database
# gatehouse_prof_<random> is created on ADMIN_URL (else TEST_DATABASE_URL) and dropped at the end.
# The server runs with the bench's settings (NODE_ENV=production, LOG_LEVEL=warn, the image's
# MALLOC_ARENA_MAX=1 and NODE_OPTIONS, or PROFILE_NODE_OPTIONS). PROFILE_LOG_LEVEL=info profiles with the
# access log written.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_ROUTE=${1:-10}
OUT=${2:-$(mktemp -d /tmp/gatehouse-prof.XXXXXX)}
ROUTES=${3:-live whoami login register}
ADMIN_URL=${ADMIN_URL:-${TEST_DATABASE_URL:?set ADMIN_URL or TEST_DATABASE_URL}}
DB=gatehouse_prof_$RANDOM$RANDOM
PORT=${PROFILE_PORT:-3917}
BASE=http://127.0.0.1:$PORT/api
DATA=$(mktemp -d /tmp/gatehouse-prof-data.XXXXXX)
PASSWORD=Correct-Horse-42-battery
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -rf "$DATA"' EXIT

PID=
serve() { # serve <profile folder | ""> : starts the server, waits until it answers
  local prof=()
  [ -n "$1" ] && mkdir -p "$1" && prof=(--cpu-prof --cpu-prof-dir="$1")
  env NODE_ENV=production MALLOC_ARENA_MAX=1 NODE_OPTIONS="${PROFILE_NODE_OPTIONS---max-semi-space-size=4}" UV_THREADPOOL_SIZE=4 \
    HOST=127.0.0.1 PORT=$PORT METRICS_PORT=0 DATA_DIR="$DATA" DATABASE_URL="${ADMIN_URL%/*}/$DB" \
    JWT_SECRET=profile-secret-profile-secret-0123456789 LOG_LEVEL="${PROFILE_LOG_LEVEL:-warn}" \
    SESSION_IDLE_TIMEOUT_SECONDS=40 RATE_LIMIT_LOGIN_PER_MINUTE=1000000 RATE_LIMIT_REGISTER_PER_MINUTE=1000000 \
    LOCKOUT_THRESHOLD=1000 node "${prof[@]}" dist/main.js >/dev/null 2>&1 &
  PID=$!
  until curl -fs "$BASE/health/live" >/dev/null; do sleep 0.2; done
}
stop() {
  kill -INT "$PID"
  wait "$PID" || true
}
post() { curl -fs -XPOST -H 'content-type: application/json' "$BASE/$1" -d "$2"; }
load() { # load <name> <connections> <load.js options (JSON, without connections and duration)>
  node bench/lib/load.js "$(node -e 'const o=JSON.parse(process.argv[1]);o.connections=+process.argv[2];o.duration=+process.argv[3];console.log(JSON.stringify(o))' "$3" "$2" "$4")"
}
profile() { # profile <name> <connections> <load.js options>
  local dir=$OUT/$1
  serve "$dir"
  local options=$3
  if [[ $options == *TOKEN* ]]; then
    local token
    token=$(post login "{\"username_or_email\":\"profiler\",\"password\":\"$PASSWORD\"}" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).access_token))')
    options=${options//TOKEN/$token}
  fi
  load "$1" "$2" "$options" 3 >/dev/null # warm-up (inside the profile: a small share)
  load "$1" "$2" "$options" "$SECONDS_PER_ROUTE" >"$dir/load.json"
  stop
  node bench/profile-summary.js "$dir" 30 >"$dir/summary.md"
  echo "$1: $(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(`${Math.round(r.rps)} req/s, p99 ${r.latency.p99} ms, ${JSON.stringify(r.statusCodes)}`)' "$dir/load.json") → $dir/summary.md"
}

# One approved user (the first one becomes superuser) for /whoami and /login.
serve ""
post register "{\"username\":\"profiler\",\"email\":\"profiler@example.org\",\"password\":\"$PASSWORD\"}" >/dev/null || true
stop

for route in $ROUTES; do
  case $route in
    live) profile live 50 "{\"url\":\"$BASE/health/live\"}" ;;
    whoami) profile whoami 50 "{\"url\":\"$BASE/whoami\",\"headers\":{\"authorization\":\"Bearer TOKEN\"}}" ;;
    # 3 connections: within one address's share of the hashing queue (see bench/lib/setup.js)
    login)
      profile login 3 "{\"url\":\"$BASE/login\",\"method\":\"POST\",\"headers\":{\"content-type\":\"application/json\"},\"body\":\"{\\\"username_or_email\\\":\\\"profiler\\\",\\\"password\\\":\\\"$PASSWORD\\\"}\"}"
      ;;
    register)
      profile register 3 "{\"url\":\"$BASE/register\",\"method\":\"POST\",\"headers\":{\"content-type\":\"application/json\"},\"bodyTemplate\":\"{\\\"username\\\":\\\"p-[<id>]\\\",\\\"email\\\":\\\"p-[<id>]@example.org\\\",\\\"password\\\":\\\"$PASSWORD\\\"}\"}"
      ;;
  esac
done
