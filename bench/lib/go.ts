import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipDirectory } from '../../src/code/index.js';
import { BENCH_DIR } from './util.js';

/** `CGO_ENABLED=0 go build` of the hello into a folder of its own, zipped as FC's API takes code (base64). */
export async function goHelloZip(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'kumo-bench-go-'));
  try {
    execFileSync('go', ['build', '-o', join(out, 'main'), '.'], {
      cwd: join(BENCH_DIR, 'fixtures/hello-go'),
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return (await zipDirectory(out)).toString('base64');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
