# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY handlers ./handlers
COPY approvals ./approvals
RUN npm run build && npm prune --omit=dev

# Runtime: the dump/restore tools /backup uses, no compiler, non-root.
FROM node:22-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client mariadb-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PORT=8080 DOCKSIDE_CONFIG=/app/dockside.yml
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schema ./schema
RUN mkdir -p /var/lib/dockside/backups && chown -R node:node /var/lib/dockside
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
# A small young generation keeps RSS low on 512 MB instances (see `npm run bench`).
CMD ["node", "--max-semi-space-size=4", "dist/src/main.js"]
