# syntax=docker/dockerfile:1
# One image for every service; the command picks the app: node dist/apps/<app>/main.js
# Node 22, an LTS (supported to April 2027); bookworm (glibc) for argon2's linux-x64/arm64
# glibc prebuilt, a Node-API binary that does not depend on the Node version.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts, as package.json's allowScripts says: argon2 0.44 ships its prebuilt binary
# (loaded at run time by node-gyp-build), so nothing is compiled and no build tools are needed.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The bundles carry their packages (scripts/bundle.js) but for what is read from node_modules at
# run time: argon2's native binary and swagger-ui's files.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Owned by the runtime user so a named volume mounted here (bootstrapctl's token) is writable.
RUN mkdir /bootstrap && chown 1000:1000 /bootstrap
# The image's `node` user, numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
CMD ["node", "dist/apps/api-gateway/main.js"]
