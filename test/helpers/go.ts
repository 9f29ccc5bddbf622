import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yazl from 'yazl';

const run = promisify(execFile);

/**
 * Builds the Go main package in `dir` as FC's Go guide says (`CGO_ENABLED=0 go build`, a static linux
 * executable), with the `go` on PATH and the modules `scripts/setup.d/go.sh` put in the module cache.
 * Returns the executable's path (in a fresh temp dir).
 */
export async function buildGo(dir: string): Promise<string> {
  const output = join(mkdtempSync(join(tmpdir(), 'kumo-go-')), 'main');
  try {
    await run('go', ['build', '-o', output, '.'], {
      cwd: dir,
      env: { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOFLAGS: '-mod=readonly -buildvcs=false' },
      timeout: 600_000,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`go build in ${dir} failed (run scripts/setup.d/go.sh?): ${stderr ?? error}`);
  }
  return output;
}

/**
 * A base64 code zip holding the executable as `main` (mode 0755), a symlink to it for each name in `aliases` (one
 * build serves functions whose handlers name different executables) and `files` (name → content).
 */
export async function zipExecutable(
  executable: string,
  aliases: readonly string[] = [],
  files: Record<string, string> = {},
): Promise<string> {
  const zip = new yazl.ZipFile();
  zip.addFile(executable, 'main', { mode: 0o100755, mtime: new Date(0) });
  for (const alias of aliases)
    zip.addBuffer(Buffer.from('main'), alias, { mode: 0o120777, mtime: new Date(0) });
  for (const [name, content] of Object.entries(files))
    zip.addBuffer(Buffer.from(content), name, { mode: 0o100644, mtime: new Date(0) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('base64');
}

/** Handler names of the Go conformance fixture (test/fixtures/runtimes/go/main.go). */
export const GO_FIXTURE_HANDLERS = [
  'index.echo',
  'index.json',
  'index.initcount',
  'index.context',
  'index.log',
  'index.unhandled',
  'index.fail',
  'index.sleep',
  'index.exit',
  'index.deadline',
  'index.struct',
  'http.handler',
  'http.stream',
  'http.crash',
] as const;

let fixtureZip: Promise<string> | undefined;

/** The Go fixture built once per test process, zipped with every handler name. */
export function goFixtureZip(fixtureDir: string): Promise<string> {
  fixtureZip ??= buildGo(fixtureDir).then((executable) => zipExecutable(executable, GO_FIXTURE_HANDLERS));
  return fixtureZip;
}
