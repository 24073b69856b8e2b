# syntax=docker/dockerfile:1
# SeatStream's one image: every service (api, processors, sinks, registry, payment sandbox) runs from it with its own
# entry point, as `npm start` runs them locally: `node --import tsx <entry>.ts` (docs/deployment.md says why tsx and
# not a compiled build). Debian bookworm (glibc): rocksdb and argon2 ship prebuilt linux-x64 glibc binaries.

# ---- 1. production dependencies only (native modules included), from the lock file
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
 && node -e "require('rocksdb'); require('argon2')" \
 && node --input-type=module -e "await import('tsx/esm/api')" \
 || { echo 'production dependencies incomplete: tsx must be a dependency (docs/deployment.md)'; exit 1; } \
 && npm cache clean --force

# ---- 2. the sources, type-checked with the dev dependencies (nothing of this stage ships)
FROM node:20-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npx tsc -p . --noEmit

# ---- 3. runtime: non-root, production dependencies and sources only
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SEATSTREAM_STACK_DIR=/var/lib/seatstream/stack \
    TSX_DISABLE_CACHE=1
WORKDIR /app
RUN groupadd --system --gid 10001 seatstream \
 && useradd --system --uid 10001 --gid seatstream --home-dir /app --shell /usr/sbin/nologin seatstream \
 && mkdir -p /var/lib/seatstream/state /var/lib/seatstream/stack \
 && chown -R seatstream:seatstream /var/lib/seatstream
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
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
