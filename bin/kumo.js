#!/usr/bin/env node
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('kumo: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}
await import(entry.href);
