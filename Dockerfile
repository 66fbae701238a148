# syntax=docker/dockerfile:1
# One game node (see docs/deploy.md). Redis is a separate service; REDIS_URL or REDIS_CLUSTER_NODES
# must point at it.
#
# Node 24 LTS (supported until April 2028, the newer of the LTS lines the code is checked on: 20, 22, 24)
# on Debian bookworm-slim: glibc, so esbuild's prebuilt binary and every dependency install as published.
# test/deploy-image.test.ts rebuilds the runtime stage without Docker (same files, same `npm ci
# --omit=dev`) and runs the CMD, HEALTHCHECK and STOPSIGNAL below against a real Redis.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: every dependency, then the browser bundles ----------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY shared ./shared
COPY client ./client
COPY server ./server
# Builds the game client and the ops dashboard (client/dist, client/admin/dist).
RUN npm run build:client

# ---- deps: production dependencies only ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/postinstall.mjs ./scripts/postinstall.mjs
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
# Owned by root, read-only to the process: the node user cannot change its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY shared ./shared
COPY server ./server
COPY client/public ./client/public
COPY --from=build /app/client/dist ./client/dist
COPY --from=build /app/client/admin/dist ./client/admin/dist
USER node
# 3000: HTTP + WebSocket (behind the load balancer). 9100: /metrics when METRICS_PORT=9100.
EXPOSE 3000 9100
# /readyz answers 200 only when Redis answers and the node is not shutting down. No curl in slim images.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM drains: hosted matches are checkpointed and handed to other nodes, players are told to
# reconnect, then the process exits. SHUTDOWN_GRACE_MS bounds it and must stay below the orchestrator's
# grace (compose stop_grace_period), or the node is killed mid-handover.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "server/main.ts"]
