#!/bin/sh
# Builds the "before" tree for the optimisations suite: packages/client and packages/server
# as of commit $1 (default ec138f5, before the benchmark-driven changes), into $2 (default
# /tmp/fcgi-before). Run from the workspace root after `pnpm build`; then
# `BENCH_BEFORE=/tmp/fcgi-before pnpm --filter @fcgi/bench bench optimisations`. Read-only git.
set -eu
commit=${1:-ec138f5}
out=${2:-/tmp/fcgi-before}
root=$(pwd)
rm -rf "$out"
mkdir -p "$out/packages/bench/node_modules/@fcgi"
for package in client server; do
  mkdir -p "$out/packages/$package"
  cp "packages/$package/package.json" "$out/packages/$package/"
  ln -s "$root/packages/$package/node_modules" "$out/packages/$package/node_modules"
  git archive "$commit" "packages/$package/src" | tar -x -C "$out"
  (cd "$out/packages/$package" && "$root/node_modules/.bin/tsc" --outDir dist --rootDir src --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck --noCheck --declaration false --types node src/*.ts)
done
cp -r packages/bench/dist packages/bench/package.json "$out/packages/bench/"
for module in autocannon fastcgi-client node-fastcgi undici; do ln -s "$root/packages/bench/node_modules/$module" "$out/packages/bench/node_modules/$module"; done
ln -s "$root/packages/codec" "$out/packages/bench/node_modules/@fcgi/codec"
ln -s "$root/packages/test-peers" "$out/packages/bench/node_modules/@fcgi/test-peers"
ln -s "$out/packages/server" "$out/packages/bench/node_modules/@fcgi/server"
ln -s "$out/packages/client" "$out/packages/bench/node_modules/@fcgi/client"
echo "$out"
