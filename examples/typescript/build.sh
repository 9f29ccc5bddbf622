#!/bin/sh
# Compiles index.ts to dist/index.js with TypeScript's tsc (the repo's devDependency, or
# `npm install --save-dev typescript @types/node` here when this folder is used on its own).
set -eu
cd "$(dirname "$0")"
rm -rf dist
npx --no-install tsc -p tsconfig.json
