# One image for the three services (and the demo's alert recorder and the console): which one
# runs is the SERVICE build argument / environment variable, or the compose `command`. Started
# exactly like the native runner does.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY services ./services
COPY local ./local
COPY clients ./clients
COPY tools ./tools
COPY analysis ./analysis
COPY lab ./lab
COPY console ./console
RUN npx tsc -p tsconfig.json && npx vite build console/web --logLevel warn && npm prune --omit=dev

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 OTEL_EXPORTER_PROMETHEUS_HOST=0.0.0.0
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Lessons and runbooks, which the console shows.
COPY docs ./docs
USER node
ARG SERVICE=gateway
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec node --require ./dist/services/$SERVICE/src/instrumentation.js ./dist/services/$SERVICE/src/server.js"]
