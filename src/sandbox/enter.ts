import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { SandboxError } from './errors.js';
import { SYSTEM_PATH } from './exec.js';
import { seccompProgram, seccompSupported } from './seccomp.js';

/** Variables that must not reach the root-owned helpers (see LOADER_UNSAFE in bwrap-args.ts). */
const UNSAFE =
  /^(LD_|GCONV_PATH$|GETCONF_DIR$|GLIBC_TUNABLES$|HOSTALIASES$|LOCALDOMAIN$|LOCPATH$|MALLOC_|NIS_PATH$|NLSPATH$|RES_OPTIONS$|RESOLV_HOST_CONF$|TMPDIR$|TZ$|TZDIR$)/;

/** The first child of `pid` (bwrap's init inside the instance's pid namespace), or undefined. */
export function firstChild(pid: number): number | undefined {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const child = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').find(Boolean);
      if (child) return Number(child);
    }
  } catch {}
  return undefined;
}

/** The instance's own environment (its command's, as started), split into what root may carry and the rest. */
function instanceEnv(pid: number | undefined): { safe: Record<string, string>; unsafe: string[] } {
  const safe: Record<string, string> = { PATH: SYSTEM_PATH, HOME: '/tmp', TERM: 'xterm' };
  const unsafe: string[] = [];
  if (pid === undefined) return { safe, unsafe };
  try {
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const name = entry.slice(0, eq);
      if (UNSAFE.test(name)) unsafe.push(entry);
      else safe[name] = entry.slice(eq + 1);
    }
  } catch {}
  // `script` (tty mode) runs the command through $SHELL: the instance's own value must not choose it.
  safe.SHELL = '/bin/sh';
  return { safe, unsafe };
}

export interface EnterTools {
  nsenter: string;
  /** Applies the instance's seccomp filter inside the entered namespaces, as the instance's own bwrap did. */
  bwrap: string;
  setpriv: string;
  uid: number;
  /** The instance cgroup's `cgroup.procs` files: the command joins them before entering. */
  procsFiles: readonly string[];
}

/** Puts itself into the cgroups (argv: count, procs files…), then execs the rest of argv. */
const JOIN_CGROUPS =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

/**
 * Runs `command` inside a bwrap instance: in its cgroup (memory and pids limits count it, a stop kills it), its
 * mount/uts/ipc/net/pid namespaces and root, its working directory, as its uid without capabilities.
 */
export function enterBwrapInstance(
  outerPid: number,
  tools: EnterTools,
  command: readonly string[],
  tty: boolean,
): ChildProcessWithoutNullStreams {
  const init = firstChild(outerPid);
  if (init === undefined) throw new SandboxError('the instance is not running');
  const { safe, unsafe } = instanceEnv(firstChild(init));
  const uid = String(tools.uid);
  const argv = ['-c', JOIN_CGROUPS, 'kumo-enter', String(tools.procsFiles.length), ...tools.procsFiles];
  argv.push(
    tools.nsenter,
    `--target=${init}`,
    '--mount',
    '--uts',
    '--ipc',
    '--net',
    '--pid',
    '--root',
    '--wd',
  );
  // A nested bwrap (inside the instance's root, so the same filesystem) only to install the seccomp filter: a
  // command run by exec must not have syscalls the instance itself is denied.
  const seccomp = seccompSupported();
  if (seccomp) argv.push(tools.bwrap, '--dev-bind', '/', '/', '--seccomp', '3', '--');
  argv.push(tools.setpriv, '--reuid', uid, '--regid', uid, '--clear-groups', '--inh-caps=-all');
  argv.push('--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs', '--');
  if (unsafe.length > 0) argv.push('/usr/bin/env', ...unsafe);
  // A terminal, as FC's exec gives with tty=true: util-linux `script` (the host's /usr, read-only in the
  // instance) runs the command on a pseudo-terminal of the instance's own devpts.
  if (tty)
    argv.push(
      '/usr/bin/script',
      '--quiet',
      '--return',
      '--flush',
      '--command',
      shellWords(command),
      '/dev/null',
    );
  else argv.push(...command);
  const child = spawn('/bin/sh', argv, {
    env: safe,
    stdio: ['pipe', 'pipe', 'pipe', ...(seccomp ? (['pipe'] as const) : [])],
    detached: true,
  });
  const filter = child.stdio[3];
  if (seccomp && filter && 'end' in filter) {
    filter.on('error', () => {});
    filter.end(seccompProgram());
  }
  return child as ChildProcessWithoutNullStreams;
}

/** The argv as one `sh -c` string, every word single-quoted. */
function shellWords(command: readonly string[]): string {
  return command.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
}
