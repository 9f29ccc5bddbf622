import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zipDirectory } from '../../src/code/index.js';

/** Zips files given as `{path: content}` (a `#!` first line makes the file executable); returns base64. */
export async function zipFiles(files: Record<string, string | Buffer>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-code-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      if (content.toString().startsWith('#!')) chmodSync(file, 0o755);
    }
    return (await zipDirectory(dir)).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
