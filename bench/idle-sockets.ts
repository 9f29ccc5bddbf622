// File descriptors of a `kumo serve` process under idle and slowloris sockets, and whether /healthz answers.
//
//   node --import tsx bench/idle-sockets.ts [--root DIR] [--sockets 2000] [--addresses 4] [--wait 20] [--env K=V]
//
// `--root` is a Kumo checkout to run (default: this one), so a before/after compares two trees, e.g. an older
// commit unpacked with `git archive <commit> | tar -x -C /tmp/kumo-before` (plus a node_modules symlink).
// Half the sockets never send a byte, half send an incomplete request head (slowloris); they come from
// `--addresses` different loopback addresses (127.0.3.x), as that many clients would.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: new URL('..', import.meta.url).pathname },
    sockets: { type: 'string', default: '2000' },
    addresses: { type: 'string', default: '4' },
    wait: { type: 'string', default: '20' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const root = resolve(values.root);
const total = Number(values.sockets);
const addresses = Number(values.addresses);
const waitSeconds = Number(values.wait);

const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

async function startServe(): Promise<{ child: ChildProcess; port: number; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kumo-bench-fd-'));
  const extra = Object.fromEntries(values.env.map((kv) => kv.split('=', 2) as [string, string]));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve'], {
    cwd: root,
    env: { ...process.env, KUMO_PORT: '0', KUMO_DATA_DIR: dataDir, KUMO_SANDBOX: 'process', ...extra },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    output += chunk.toString();
    const port = /listening on http:\/\/[^:]+:(\d+)/.exec(output)?.[1];
    if (port) return { child, port: Number(port), dataDir };
  }
  throw new Error(`kumo serve did not start:\n${output}`);
}

function open(
  port: number,
  localAddress: string,
  head?: string,
): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolveOpen) => {
    let closed = false;
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.on('error', () => {});
    socket.resume(); // read (and drop) whatever the server answers, so its close is seen
    socket.on('close', () => {
      closed = true;
    });
    socket.once('connect', () => {
      if (head) socket.write(head);
      resolveOpen({ socket, closed: () => closed });
    });
    socket.once('error', () => resolveOpen({ socket, closed: () => true }));
  });
}

async function healthz(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
    return response.status === 200 ? 'answers' : `HTTP ${response.status}`;
  } catch (error) {
    return `fails (${(error as Error).cause ?? (error as Error).message})`;
  }
}

const { child, port, dataDir } = await startServe();
const pid = child.pid as number;
await sleep(1000);
const rows: [string, string][] = [['server fds at rest', String(fdCount(pid))]];
const probes = [];
for (let i = 0; i < total; i++) {
  const address = `127.0.3.${(i % addresses) + 1}`;
  probes.push(await open(port, address, i % 2 ? 'GET /healthz HTTP/1.1\r\nHost: x\r\n' : undefined));
}
await sleep(1000);
const open1s = probes.filter((p) => !p.closed()).length;
rows.push([`server fds with ${total} idle/slowloris sockets (1 s)`, String(fdCount(pid))]);
rows.push(['sockets still open after 1 s', `${open1s} of ${total}`]);
rows.push(['/healthz while they are held', await healthz(port)]);
await sleep(waitSeconds * 1000);
rows.push([
  `sockets still open after ${waitSeconds + 1} s`,
  `${probes.filter((p) => !p.closed()).length} of ${total}`,
]);
rows.push([`server fds after ${waitSeconds + 1} s`, String(fdCount(pid))]);
rows.push([`/healthz after ${waitSeconds + 1} s`, await healthz(port)]);
for (const p of probes) p.socket.destroy();
const exited = new Promise((done) => child.once('exit', done));
child.kill('SIGTERM');
// A server that does not stop within 10 s (the old tree waits on its sockets) is killed.
if ((await Promise.race([exited, sleep(10_000, 'late')])) === 'late') child.kill('SIGKILL');
await exited;
rmSync(dataDir, { recursive: true, force: true });

process.stdout.write(`# idle sockets against ${root}\n\n| measure | value |\n|---|---|\n`);
for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
