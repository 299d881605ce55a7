# syntax=docker/dockerfile:1
# Node 24 is the current LTS (Node 20 reached end of life in April 2026).
# Stage 1: install everything, lint-free type-check and compile TypeScript to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are declared in package.json (allowScripts): none is needed, all are denied.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY flows ./flows
RUN npm run build

# Stage 2: production dependencies only, compiled code (with source maps), a non-root user.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# /healthz answers while the process lives; readiness (/readyz) is for the orchestrator's probes.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Run the compiled entry directly (not through npm) so SIGTERM reaches the process for a graceful stop;
# source maps turn stack traces back into TypeScript file and line numbers.
# A 32 MB young generation: under load an update's objects live for its whole round trips (tens of ms at
# 1,000 in flight), longer than the default young generation holds them, so they were copied and promoted;
# with 32 MB, 13 % more updates/s for 12 % less CPU each (tests/bench/profile-ours.ts; README, Benchmarks).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=32", "dist/src/main.js"]
