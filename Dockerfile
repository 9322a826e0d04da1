# syntax=docker/dockerfile:1
# Lookout collector image. docs/deployment.md explains every choice; the short version:
# - Debian bookworm (glibc), not Alpine: chDB (the embedded ClickHouse) ships only as
#   @chdb/lib-linux-{x64,arm64}-gnu, a 540 MB libchdb.so linked against glibc. There is no musl
#   build, so on Alpine the embedded store cannot load.
# - Node 20.20, the version the project is built and benchmarked with (engines: >=20.19).
# - `npm install`, not `npm ci`: the lock file lists chdb's optional per-platform packages and
#   npm ci refuses it on a platform whose package the registry mirror does not serve (.ci/run
#   does the same). npm install still follows package-lock.json for every version it resolves.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# ---- build: every dependency, then the compiled collector, dashboard, agent, demo and tools
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies only, the build output, a non-root user
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LOOKOUT_DATA=/data \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /data \
 && chown node:node /data
COPY --from=build /src/dist ./dist
COPY bin ./bin
# The data folder: embedded ClickHouse files, the spool, the generated admin token.
VOLUME /data
# node (uid 1000) comes with the official image.
USER node
EXPOSE 8080
# No curl in the slim image: Node's own fetch asks /healthz (the process answers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Configuration by environment: docs/configuration.md lists every variable.
CMD ["node", "bin/lookout.js", "serve"]
