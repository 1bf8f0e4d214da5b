# The service's image (API and CPU workers): `docker build -t mfsim .`
# The C++ kernel is built portable (build.mjs's default on x86-64: x86-64-v3 and x86-64-v4 builds,
# picked by the CPU at run time), never the build host's own: an image runs on hosts it was not built on.
# The GPU workers' image is Dockerfile.gpu.
FROM node:20-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends g++ make python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# Empty: build.mjs's portable default on x86-64. Elsewhere (arm64) its default is the build host's
# own set: pass a portable one, e.g. --build-arg MFSIM_MARCH=-march=armv8.2-a.
ARG MFSIM_MARCH=
ENV MFSIM_MARCH=${MFSIM_MARCH}
# npm ci: exactly the lockfile. ensure-install generates the Prisma client, builds the C++ kernel
# (CPU only here: no nvcc) and the dashboard.
RUN npm ci --no-audit --no-fund && node scripts/ensure-install.mjs

FROM node:20-bookworm-slim
# libgomp: the C++ kernel's OpenMP threads. libopenblas0-pthread: the limits' eigendecomposition and
# matrix products (the addon dlopens libopenblas.so.0 when present: 10-20x faster than its own
# solver at P = 4096, and POST /v1/limits takes training sets of 1024 points instead of 512).
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 libopenblas0-pthread && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
# Only the API answers HTTP; a worker container disables this check (docker-compose.yml does).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The API. A CPU worker: `node --import tsx apps/worker/src/main.ts`; migrations:
# `node --import tsx packages/db/scripts/migrate.ts deploy`.
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
