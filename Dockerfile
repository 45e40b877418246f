# syntax=docker/dockerfile:1
#
# hubwarden container image.
#   docker build -t hubwarden:0.1.0 .
#   set -a; . ./.env; set +a
#   docker run $(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/-e \1/p' .env) -v "$PWD/hubwarden.yml:/config/hubwarden.yml:ro" -p 3000:3000 hubwarden:0.1.0
#   (not --env-file .env: docker run keeps the quotes of .env.example's values as part of the value)
#
# Node.js 22 (LTS): package.json needs >= 20.19, and Node 20 reached end of life in April 2026, so 22 is
# the oldest line that still gets security fixes and the one the project is tested against besides 20.
# Node 24 (also LTS) works the same way: docker build --build-arg NODE_VERSION=24 .
# For reproducible builds, pin the base image by digest in CI (node:22-bookworm-slim@sha256:...).
ARG NODE_VERSION=22

# ---- build: all dependencies, compile TypeScript into dist/ ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# vendor/ holds the inert stand-in for jira-client's unused postman-request (see package.json overrides).
COPY package.json package-lock.json ./
COPY vendor ./vendor
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build

# ---- prod-deps: production dependencies only, installed from the same lock file ----
FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
COPY vendor ./vendor
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# ---- runtime ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HUBWARDEN_CONFIG=/config/hubwarden.yml
WORKDIR /app
# npm and corepack are not needed at run time; removing them removes their CVEs from the image too.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
# Files stay owned by root and read-only for the node user: the process cannot rewrite its own code.
COPY --from=prod-deps /app/node_modules ./node_modules
# node_modules/postman-request links here
COPY vendor ./vendor
# bin/hubwarden.js runs the sources through tsx only when src/ and tsx are both present; this image has
# neither (tsx is a dev dependency), so it runs dist/, which must be here.
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY package.json ./
RUN test -f dist/src/cli/main.js
USER node
EXPOSE 3000
# No curl in slim images: node's own fetch. Every role serves /healthz on METRICS_PORT when set, else on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# hubwarden handles SIGTERM itself: stop taking work, finish or hand back in-flight jobs, exit 0 within 30 s.
STOPSIGNAL SIGTERM
# V8 heap sizing, the same as `npm start` and the benchmark (docs/benchmarks.md): small young-generation
# semi-spaces (peak RSS 222 → 180 MB at 600 repositories, same throughput) and a 256 MB old space, which
# keeps the 20,000-repository / 100,000-finding full read under 300 MB of RSS (337 MB without it; the live
# heap stays under 60 MB). Set here, they need no second process: bin/hubwarden.js adds only a flag that
# NODE_OPTIONS lacks. For larger estates raise the old space, e.g.
#   docker run -e NODE_OPTIONS="--max-old-space-size=1024" ...
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"
ENTRYPOINT ["node", "bin/hubwarden.js"]
CMD ["run"]
