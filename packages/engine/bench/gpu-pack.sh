#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a bare NVIDIA host (CUDA, PyTorch, no Node) into .gpu-carry/
# at the repository root (ignored through .git/info/exclude): this machine's Node binary and headers
# (xz), node-addon-api's headers, and the checks and the engine benchmark bundled by esbuild. Prints
# the carry list and its size (the device tool carries at most 8 paths, 64 MiB with the tree).
#   bash packages/engine/bench/gpu-pack.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
carry=.gpu-carry
grep -qx "/$carry/" .git/info/exclude 2>/dev/null || echo "/$carry/" >> .git/info/exclude
mkdir -p "$carry/node-addon-api"
node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
# The Node archive takes minutes to compress: kept while it is of the same Node.
if [ "$(cat "$carry/node-version" 2>/dev/null)" != "$(node --version)" ] || [ ! -s "$carry/node.tar.xz" ]; then
  tar -C "$node_prefix" -cf - bin/node include/node | xz -T2 -6 > "$carry/node.tar.xz.part" && mv "$carry/node.tar.xz.part" "$carry/node.tar.xz"
  node --version > "$carry/node-version"
fi
cp node_modules/node-addon-api/*.h "$carry/node-addon-api/"
esb=node_modules/.bin/esbuild
common=(--bundle --platform=node --format=esm --target=node20 --log-level=warning
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);")
"$esb" packages/engine/bench/gpu/checks.ts "${common[@]}" --alias:vitest=./packages/engine/bench/gpu/vitest-shim.ts --outfile="$carry/checks.mjs"
"$esb" packages/engine/bench/engine.ts "${common[@]}" --outfile="$carry/engine-bench.mjs"
echo "carry: [\"$carry\"]"
du -sh "$carry"/* | sed 's/^/  /'
tree_bytes=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
carry_bytes=$(du -sb "$carry" | cut -f1)
echo "working tree $((tree_bytes / 1048576)) MiB + carry $((carry_bytes / 1048576)) MiB = $(((tree_bytes + carry_bytes) / 1048576)) MiB of 64"
