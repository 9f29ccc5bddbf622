// Bundles the web console (web/) into dist/web/: index.html, app.js and app.css, minified, no CDN. Prints the
// sizes the first load costs (raw and gzip), which must stay under 300 KB compressed.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = `${root}dist/web`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: `${root}web/main.js` },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(`${root}web/index.html`, `${out}/index.html`);

let raw = 0;
let gzip = 0;
for (const file of ['index.html', 'app.js', 'app.css']) {
  const body = readFileSync(`${out}/${file}`);
  raw += body.length;
  gzip += gzipSync(body, { level: 9 }).length;
}
if (process.argv.includes('--sizes')) {
  console.log(`console first load: ${(raw / 1024).toFixed(1)} KB raw, ${(gzip / 1024).toFixed(1)} KB gzip`);
}
if (gzip > 300 * 1024) {
  console.error(`console bundle is ${(gzip / 1024).toFixed(1)} KB gzip, over the 300 KB budget`);
  process.exit(1);
}
