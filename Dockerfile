FROM node:20-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends g++ make python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm install --no-audit --no-fund && node scripts/ensure-install.mjs
EXPOSE 3000
