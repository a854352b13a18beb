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
# pg_dump refuses servers newer than itself and DigitalOcean offers PostgreSQL 13-17, so the
# client comes from the PostgreSQL project's repository (Debian's is 15). Managed MySQL is
# MySQL 8, whose dumps need MySQL's own client rather than MariaDB's. A test checks these
# versions against the server versions in the config schema (test/deploy/dump-tools.test.ts).
FROM node:22-bookworm-slim
ARG PG_CLIENT=17
ARG MYSQL_SERIES=8.4-lts
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg tini \
 && install -d /etc/apt/keyrings \
 && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc | gpg --dearmor -o /etc/apt/keyrings/pgdg.gpg \
 && echo "deb [signed-by=/etc/apt/keyrings/pgdg.gpg] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && curl -fsSL https://repo.mysql.com/RPM-GPG-KEY-mysql-2023 | gpg --dearmor -o /etc/apt/keyrings/mysql.gpg \
 && echo "deb [signed-by=/etc/apt/keyrings/mysql.gpg] http://repo.mysql.com/apt/debian bookworm mysql-${MYSQL_SERIES}" \
      > /etc/apt/sources.list.d/mysql.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-${PG_CLIENT}" mysql-community-client \
 && apt-get purge -y curl gnupg && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* \
 && pg_dump --version && mysqldump --version
WORKDIR /app
# The config comes from DOCKSIDE_CONFIG_YAML (App Platform has no files); see .do/app.yaml.
ENV NODE_ENV=production PORT=8080
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
