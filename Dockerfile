# The platform's own image (controller, builder and router share it), for docker-compose.yml.
# Needs an image registry for the node base image; `npm run up` runs the same platform without one.
FROM node:22-bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/paas
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
COPY migrations ./migrations
COPY buildpacks ./buildpacks
COPY bin ./bin
COPY scripts/cli-package.mjs ./scripts/cli-package.mjs
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev
ENV PAAS_HOME=/var/lib/paas NODE_ENV=production
CMD ["node", "apps/controller/dist/main.js"]
