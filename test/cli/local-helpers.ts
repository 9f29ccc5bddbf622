// What `kumo local` may leave on the host, found by the pid of the `kumo` process that ran it.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { detectCgroupLayout } from '../../src/sandbox/cgroup.js';
import { listFirewallTables } from '../../src/sandbox/firewall.js';
import { listNetns, listVeths } from '../../src/sandbox/network.js';

const KUMO = new URL('../../bin/kumo.js', import.meta.url).pathname;
const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

/** A copy of an example in a temporary folder, removed after the test. */
export function exampleCopy(t: TestContext, example: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-local-project-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(EXAMPLES, example), dir, { recursive: true });
  return dir;
}

/**
 * Runs the built `kumo` with no server and no credentials anywhere: no KUMO_* connection settings and a
 * `kumo config` file that does not exist.
 */
export function spawnKumo(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^KUMO_(ENDPOINT|ACCESS_KEY|ACCOUNT_ID|DATA_DIR|PORT)/.test(name),
    ),
  );
  return spawn(process.execPath, [KUMO, ...args], {
    cwd,
    env: { ...env, KUMO_CONFIG: '/nonexistent/kumo-config.json', ...extraEnv },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Collects a child's output; `done` resolves with its exit code once it has exited. */
export function collect(child: ChildProcess): {
  output: { stdout: string; stderr: string };
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { output, done };
}

/** Every host resource named after Kumo process `pid` (and its temporary data dir), by kind. */
export interface Leftovers {
  processes: string[];
  tempDirs: string[];
  netns: string[];
  veths: string[];
  cgroups: string[];
  firewall: string[];
}

export async function leftoversOf(pid: number): Promise<Leftovers> {
  const mine = (name: string) => name.startsWith(`kumo-${pid}-`);
  const layout = detectCgroupLayout();
  const parents =
    layout.version === 1
      ? [join(layout.memory, 'kumo'), join(layout.pids, 'kumo')]
      : [join(layout.root, 'kumo')];
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter(mine) : []);
  const cgroups = parents.flatMap(list);
  // Processes still in an instance's cgroup, and any (plain-process sandbox) running in or naming the data dir.
  const inCgroups = parents.flatMap((dir) =>
    list(dir).flatMap((name) =>
      readIfThere(join(dir, name, 'cgroup.procs'))
        .split('\n')
        .filter(Boolean),
    ),
  );
  const namingDataDir = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) =>
      [readIfThere(`/proc/${entry}/cmdline`), linkIfThere(`/proc/${entry}/cwd`)].some((text) =>
        text.includes(`kumo-${pid}-local-`),
      ),
    );
  const processes = [...new Set([...inCgroups, ...namingDataDir])];
  return {
    processes,
    tempDirs: list(tmpdir()),
    netns: listNetns().filter(mine),
    veths: (await listVeths('ip')).filter(([, alias]) => mine(alias)).map(([name]) => name),
    cgroups,
    firewall: (await listFirewallTables()).filter(mine),
  };
}

/** A file's text, or '' when it (or its process) is gone meanwhile. */
function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function linkIfThere(link: string): string {
  try {
    return readlinkSync(link);
  } catch {
    return '';
  }
}

export const nothingLeft: Leftovers = {
  processes: [],
  tempDirs: [],
  netns: [],
  veths: [],
  cgroups: [],
  firewall: [],
};
