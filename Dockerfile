# syntax=docker/dockerfile:1
# The bot's image: compiled JavaScript, production dependencies only, no emulators, non-root.
# Build: docker build -t seedream-bot .   Run: see compose.yaml and the README's "Production".
ARG NODE_IMAGE=node:20-bookworm-slim

# Compiles TypeScript (dev dependencies live only in this stage).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY commands ./commands
COPY src ./src
RUN npm run build

# Production dependencies only. sharp and sqlite3 fetch prebuilt native parts; the compiler is
# here for a platform without a prebuilt sqlite3 and stays in this stage.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    STORE_URL=sqlite:///data/seedream.sqlite \
    DATA_DIR=/data \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    SHUTDOWN_TIMEOUT=20s
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
# Liveness on the health port; give the stop more time than SHUTDOWN_TIMEOUT (compose: stop_grace_period).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.METRICS_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
