// Runs every test/**/*.test.ts with node:test. Node 20's `node --test` finds no .ts files by itself
// and exits 0, so this lists them explicitly and fails loudly when there are none.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const root = new URL('.', import.meta.url).pathname;
const filter = process.argv.slice(2);
const files = findTests(root)
  .map((file) => relative(process.cwd(), file))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('test/run.mjs: no test files found');
  process.exit(1);
}
// Test files run three at a time: most of their time is spent waiting on real instances, servers and sockets, so
// even a 2-core machine finishes sooner. Every file uses its own server on port 0, its own data dir and names its
// host resources after its own pid, so files do not see each other. KUMO_TEST_CONCURRENCY=1 runs them one by one.
const concurrency = process.env.KUMO_TEST_CONCURRENCY ?? '3';
// Files that watch what a killed Kumo leaves on the host run alone, afterwards: any server starting meanwhile
// sweeps a dead Kumo's leftovers too, and would remove them before the file's own `kumo doctor --clean` saw them.
const ALONE = ['test/security/leftovers.test.ts'];
// The longest files start first, so the last minutes are not one long file running alone (the runtime conformance
// rows, the JVM suites and the build sandbox take minutes each).
const LONG = [/runtimes\/conformance-/, /runtimes\/java/, /cli\/build/, /examples\//];
const isLong = (file) => LONG.some((pattern) => pattern.test(file));
const together = [...files.filter(isLong), ...files.filter((file) => !isLong(file))].filter(
  (file) => !ALONE.includes(file),
);
const alone = files.filter((file) => ALONE.includes(file));
const runFiles = (list, filesAtOnce) =>
  list.length === 0
    ? 0
    : (spawnSync(
        process.execPath,
        ['--import', 'tsx', '--test', `--test-concurrency=${filesAtOnce}`, ...list],
        {
          stdio: 'inherit',
          // `kumo serve` pre-warms instances by default (docs/prewarm.md); the servers tests spawn do not, unless
          // a test asks (test/sandbox/prewarm*.test.ts give their servers pools of their own).
          env: { KUMO_PREWARM: '0', ...process.env },
        },
      ).status ?? 1);
const first = runFiles(together, concurrency);
const second = runFiles(alone, 1);
process.exit(first || second);
