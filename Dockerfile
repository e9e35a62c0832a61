# Build on the current LTS; the runtime image carries production dependencies and dist/ only.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web console's page script and stylesheet are bundled here, into dist/console/assets.
COPY console ./console
COPY scripts/build-console.ts ./scripts/
RUN npm run build

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    CRITIC_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY rules ./rules
COPY app.yml ./
# Assessments (HTTP API) are kept here when Redis is not used: mount a volume to keep them.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# Checked at the container's own address, not loopback: a server bound to 127.0.0.1 (a HOST set in
# an env file) is unreachable from outside, and the check must fail then. A worker has no HTTP
# port unless CRITIC_WORKER_PORT is set: its service disables the check (compose.yaml).
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://'+require('os').hostname()+':'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# 8 MB semi-spaces (V8's default is 16), so a 16 MB young generation instead of 32: a 3,000-file
# pull request peaks some 30 MB lower, for a little more garbage collection (BENCHMARKS.md). Set here, as in
# package.json's start and worker scripts and compose.yaml: V8 takes it only at start-up.
CMD ["node", "--max-semi-space-size=8", "dist/bin/start.js"]
