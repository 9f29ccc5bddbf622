#!/bin/sh
# Compiles index.ts to dist/index.js with TypeScript's tsc. `kumo build` runs it in a copy of this folder
# (.kumo/build/…): tsc then comes from this package.json's devDependencies, installed for the build and removed
# after it (the server needs no package at run time). In the Kumo repo, its own tsc is used.
set -eu
cd "$(dirname "$0")"
rm -rf dist
if npx --no-install tsc --version >/dev/null 2>&1; then
  npx --no-install tsc -p tsconfig.json
else
  npm install --no-audit --no-fund --no-package-lock --update-notifier=false
  npx --no-install tsc -p tsconfig.json
  rm -rf node_modules
fi
