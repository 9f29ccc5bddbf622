import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SandboxError } from './errors.js';
import { findBinary, SYSTEM_PATH } from './exec.js';

/**
 * A long-lived root helper that makes mounts and sets a UTS namespace's host name with the syscalls themselves
 * (Python's ctypes): a `mount` or `nsenter` process costs 5-6 ms each here, a request to this helper about 0.1 ms,
 * and a pre-warmed instance's specialisation has a budget of a few milliseconds. One JSON request per line, one
 * answer line (`ok` or `error <message>`).
 */
const HELPER = String.raw`
import ctypes, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MNT_DETACH = 1, 2, 4, 32, 4096, 2
OPEN_TREE_CLONE, AT_EMPTY_PATH, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH = 1, 0x1000, 0x8000, 4
ATTR_RDONLY, ATTR_NOSUID, ATTR_NODEV = 1, 2, 4
SYS_OPEN_TREE, SYS_MOVE_MOUNT, SYS_MOUNT_SETATTR = 428, 429, 442
class MountAttr(ctypes.Structure):
    _fields_ = [('attr_set', ctypes.c_uint64), ('attr_clr', ctypes.c_uint64),
                ('propagation', ctypes.c_uint64), ('userns_fd', ctypes.c_uint64)]
def check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, '%s: %s' % (what, os.strerror(err)))
    return result
def b(path):
    return path.encode()
def bind_read_only(source, target, spare):
    # A detached read-only clone moved onto the target: it propagates to the sandboxes read-only.
    try:
        fd = check(libc.syscall(SYS_OPEN_TREE, -100, b(source), OPEN_TREE_CLONE), 'open_tree')
    except OSError as error:
        if error.errno != 38:
            raise
        # Without the new mount API: a read-only bind on a spare mount point, bound again (keeps read-only).
        check(libc.mount(b(source), b(spare), None, MS_BIND, None), 'mount')
        try:
            flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
            check(libc.mount(None, b(spare), None, flags, None), 'remount')
            check(libc.mount(b(spare), b(target), None, MS_BIND, None), 'mount')
        finally:
            libc.umount2(b(spare), MNT_DETACH)
        return
    try:
        attr = MountAttr(ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, 0, 0, 0)
        check(libc.syscall(SYS_MOUNT_SETATTR, fd, b'', AT_EMPTY_PATH | AT_RECURSIVE,
                           ctypes.byref(attr), ctypes.sizeof(attr)), 'mount_setattr')
        check(libc.syscall(SYS_MOVE_MOUNT, fd, b'', -100, b(target), MOVE_MOUNT_F_EMPTY_PATH), 'move_mount')
    finally:
        os.close(fd)
def set_hostname(pid, name):
    own = os.open('/proc/self/ns/uts', os.O_RDONLY)
    theirs = os.open('/proc/%d/ns/uts' % pid, os.O_RDONLY)
    try:
        # A pid reused by a host process after the instance died must never rename the host.
        if os.fstat(theirs).st_ino == os.fstat(own).st_ino:
            raise OSError(1, 'process %d is in the host UTS namespace' % pid)
        check(libc.setns(theirs, 0x04000000), 'setns')
        try:
            check(libc.sethostname(b(name), len(b(name))), 'sethostname')
        finally:
            check(libc.setns(own, 0x04000000), 'setns back')
    finally:
        os.close(own)
        os.close(theirs)
for line in sys.stdin:
    try:
        request = json.loads(line)
        op = request['op']
        if op == 'bind':
            bind_read_only(request['source'], request['target'], request['spare'])
            if request.get('pid'):
                set_hostname(int(request['pid']), request['name'])
        elif op == 'hostname':
            set_hostname(int(request['pid']), request['name'])
        elif op == 'umount':
            check(libc.umount2(b(request['target']), MNT_DETACH), 'umount')
        else:
            raise ValueError('unknown op')
        sys.stdout.write('ok\n')
    except Exception as error:
        sys.stdout.write('error %s\n' % str(error).replace('\n', ' '))
    sys.stdout.flush()
`;

type Request =
  | { op: 'bind'; source: string; target: string; spare: string; pid?: number; name?: string }
  | { op: 'hostname'; pid: number; name: string }
  | { op: 'umount'; target: string };

/** Requests go one at a time; a helper that died is started again on the next request. */
export class MountHelper {
  #child: ChildProcessWithoutNullStreams | undefined;
  #answers: Array<(line: string) => void> = [];
  #queue: Promise<unknown> = Promise.resolve();

  /** True where the helper can run (root, Python 3). */
  static available(): boolean {
    return process.getuid?.() === 0 && findBinary('python3') !== undefined;
  }

  /**
   * Binds `source` read-only, nosuid, nodev over `target`; `spare` is an empty directory for old kernels. With
   * `hostname`, then names the UTS namespace of `hostname.pid` (one round trip for both).
   */
  bindReadOnly(
    source: string,
    target: string,
    spare: string,
    hostname?: { pid: number; name: string },
  ): Promise<void> {
    return this.#request({ op: 'bind', source, target, spare, ...hostname });
  }

  /** Sets the host name of the UTS namespace process `pid` is in. */
  setHostname(pid: number, name: string): Promise<void> {
    return this.#request({ op: 'hostname', pid, name });
  }

  /** Detaches the mount at `target` (lazily). */
  unmount(target: string): Promise<void> {
    return this.#request({ op: 'umount', target });
  }

  #request(request: Request): Promise<void> {
    const next = this.#queue.then(() => this.#send(request));
    this.#queue = next.catch(() => {});
    return next;
  }

  #send(request: Request): Promise<void> {
    const child = this.#start();
    const stdout = child.stdout as unknown as { ref?(): void; unref?(): void };
    stdout.ref?.(); // an answer is awaited: keep the process alive until it comes
    return new Promise((resolve, reject) => {
      this.#answers.push((line) => {
        if (this.#answers.length === 0) stdout.unref?.();
        if (line === 'ok') resolve();
        else reject(new SandboxError(`${request.op} failed: ${line.replace(/^error /, '')}`));
      });
      child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  #start(): ChildProcessWithoutNullStreams {
    if (this.#child && this.#child.exitCode === null && !this.#child.killed) return this.#child;
    const python = findBinary('python3');
    if (!python) throw new SandboxError('python3 is missing: the mount helper cannot run');
    const child = spawn(python, ['-I', '-c', HELPER], { env: { PATH: SYSTEM_PATH }, stdio: 'pipe' });
    child.on('error', () => {});
    child.stdin.on('error', () => {});
    child.stderr.resume();
    createInterface({ input: child.stdout }).on('line', (line) => this.#answers.shift()?.(line));
    child.on('exit', () => {
      if (this.#child === child) this.#child = undefined;
      for (const answer of this.#answers.splice(0)) answer('error the mount helper exited');
    });
    // An idle helper never keeps Kumo alive.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?(): void }).unref?.();
    this.#child = child;
    return child;
  }

  close(): void {
    this.#child?.stdin.end();
    this.#child = undefined;
  }
}
