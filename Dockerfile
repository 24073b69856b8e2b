# syntax=docker/dockerfile:1
# SeatStream's one image: every service (api, processors, sinks, registry, payment sandbox) runs from it with its own
# entry point, as `npm start` runs them locally: `node --import tsx <entry>.ts` (docs/deployment.md says why tsx and
# not a compiled build). Debian bookworm (glibc): rocksdb and argon2 ship prebuilt linux-x64 glibc binaries.
#
# npm 10 (what node:20 ships) runs dependencies' install scripts; npm 11 runs only those package.json "allowScripts"
# approves (mediasoup is denied there). Either way nothing may download or compile: MEDIASOUP_WORKER_BIN is set for
# every `npm ci`, so mediasoup's postinstall (which would fetch a prebuilt worker or compile one) does nothing, and
# the worker is built offline by scripts/mediasoup/build-worker.mjs in its own stage. argon2, rocksdb, esbuild and
# protobufjs load prebuilt binaries or need no script at all; the deps stage checks that they load.

# ---- 0. the mediasoup worker (C++), built from the sources npm installs and Debian's libraries; nothing of the
#         toolchain ships. The runtime stage installs the shared libraries it links.
FROM node:20-bookworm AS mediasoup-worker
RUN apt-get update \
 && apt-get install -y --no-install-recommends meson ninja-build pkg-config g++ make perl libuv1-dev libsrtp2-dev \
      libusrsctp-dev libabsl-dev flatbuffers-compiler libflatbuffers-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV MEDIASOUP_WORKER_BIN=/opt/mediasoup/mediasoup-worker npm_config_update_notifier=false npm_config_fund=false
COPY package.json package-lock.json ./
# sources only: no dependency's install script is needed to build the worker
RUN npm ci --omit=dev --ignore-scripts
COPY scripts ./scripts
# Debian's libraries, and OpenSSL 3.5 built from source (static; fetched from crates.io, pinned by SHA-256):
# Debian 12's libssl 3.0 crashes the worker in the DTLS handshake (scripts/mediasoup/README.md)
RUN mkdir -p /opt/mediasoup \
 && node scripts/mediasoup/build-worker.mjs --out /opt/mediasoup/mediasoup-worker \
 && test -x /opt/mediasoup/mediasoup-worker

# ---- 1. production dependencies only (native modules included), from the lock file
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
    MEDIASOUP_WORKER_BIN=/opt/mediasoup/mediasoup-worker
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
 && node -e "require('rocksdb'); require('argon2')" \
 && node --input-type=module -e "await import('tsx/esm/api')" \
 || { echo 'production dependencies incomplete: tsx must be a dependency (docs/deployment.md)'; exit 1; } \
 && npm cache clean --force

# ---- 2. the sources, type-checked with the dev dependencies (nothing of this stage ships)
FROM node:20-bookworm-slim AS check
WORKDIR /app
ENV MEDIASOUP_WORKER_BIN=/opt/mediasoup/mediasoup-worker npm_config_update_notifier=false npm_config_fund=false
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npx tsc -p . --noEmit

# ---- 3. runtime: non-root, production dependencies and sources only
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SEATSTREAM_STACK_DIR=/var/lib/seatstream/stack \
    TSX_DISABLE_CACHE=1 \
    MEDIASOUP_WORKER_BIN=/opt/mediasoup/mediasoup-worker
WORKDIR /app
# the shared libraries the mediasoup worker links (Debian 12 names; the build stage installs their -dev packages)
RUN apt-get update \
 && apt-get install -y --no-install-recommends libuv1 libssl3 libsrtp2-1 libusrsctp2 libabsl20220623 libflatbuffers2 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 seatstream \
 && useradd --system --uid 10001 --gid seatstream --home-dir /app --shell /usr/sbin/nologin seatstream \
 && mkdir -p /var/lib/seatstream/state /var/lib/seatstream/stack \
 && chown -R seatstream:seatstream /var/lib/seatstream
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=mediasoup-worker --chown=root:root /opt/mediasoup /opt/mediasoup
COPY --from=check --chown=root:root /app/package.json /app/package-lock.json /app/tsconfig.json ./
COPY --from=check --chown=root:root /app/infra ./infra
COPY --from=check --chown=root:root /app/schemas ./schemas
COPY --from=check --chown=root:root /app/topics ./topics
COPY --from=check --chown=root:root /app/processors ./processors
COPY --from=check --chown=root:root /app/connectors ./connectors
COPY --from=check --chown=root:root /app/api ./api
COPY --from=check --chown=root:root /app/dashboards ./dashboards
COPY --from=check --chown=root:root /app/deploy/healthcheck.mjs ./deploy/healthcheck.mjs
COPY --from=check --chown=root:root /app/deploy/scripts/platform-init.sh ./deploy/scripts/platform-init.sh
USER seatstream:seatstream
VOLUME ["/var/lib/seatstream/state"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 CMD ["node", "deploy/healthcheck.mjs"]
STOPSIGNAL SIGTERM
# Each service's command names its entry (docker-compose.yml, deploy/k8s); the API by default.
CMD ["node", "--import", "tsx", "api/main.ts"]
