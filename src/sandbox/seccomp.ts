import { BpfProgram, DATA, RET } from './seccomp-bpf.js';

/**
 * The system calls an instance may not make, modelled on Docker/Moby's default seccomp profile (which allows a
 * list and refuses the rest; Kumo refuses this list and allows the rest, for the same effect on what matters):
 * namespaces and mounts (the way out of a sandbox), kernel keyrings, BPF, perf, modules, kexec, file handles,
 * userfaultfd, tracing other processes, and host-wide settings (clock, swap, reboot, quotas, accounting).
 * Numbers are x86_64's (`asm/unistd_64.h`).
 */
export const BLOCKED_SYSCALLS: Readonly<Record<string, number>> = {
  // mounts and the new mount API
  mount: 165,
  umount2: 166,
  pivot_root: 155,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
  // joining other namespaces (creating them: clone/unshare flags, below)
  setns: 308,
  // kernel keyrings
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  // kernel attack surface
  bpf: 321,
  perf_event_open: 298,
  userfaultfd: 323,
  open_by_handle_at: 304,
  lookup_dcookie: 212,
  fanotify_init: 300,
  // other processes' memory
  ptrace: 101,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  // NUMA placement (Docker: CAP_SYS_NICE only)
  mbind: 237,
  set_mempolicy: 238,
  migrate_pages: 256,
  move_pages: 279,
  // kernel code
  kexec_load: 246,
  kexec_file_load: 320,
  init_module: 175,
  finit_module: 313,
  delete_module: 176,
  create_module: 174,
  get_kernel_syms: 177,
  query_module: 178,
  uselib: 134,
  // host-wide settings and obsolete interfaces
  reboot: 169,
  swapon: 167,
  swapoff: 168,
  syslog: 103,
  acct: 163,
  quotactl: 179,
  quotactl_fd: 443,
  settimeofday: 164,
  clock_settime: 227,
  clock_adjtime: 305,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  vhangup: 153,
  nfsservctl: 180,
  ustat: 136,
  sysfs: 139,
  _sysctl: 156,
};

/**
 * Refused with ENOSYS, so callers fall back: glibc's `clone3` → `clone` (whose flags can be checked, clone3's sit
 * behind a pointer), libuv's io_uring → its thread pool (Docker refuses io_uring too since 25.0).
 */
export const ENOSYS_SYSCALLS: Readonly<Record<string, number>> = {
  clone3: 435,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
};

const CLONE = 56;
const UNSHARE = 272;
const PERSONALITY = 135;

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: `clone` with any of them is refused. */
const NAMESPACE_FLAGS = 0x7e02_0000;
/** CLONE_NEWTIME (unshare only: in clone's flags 0x80 is part of the exit signal). */
const CLONE_NEWTIME = 0x80;
/** `personality` values Docker allows: the default, UNAME26, the 32-bit ones, and the query. */
const PERSONALITIES = [0x0, 0x8, 0x2_0000, 0x2_0008, 0xffff_ffff];

export const AUDIT_ARCH_X86_64 = 0xc000_003e;
/** x32 system calls carry this bit in `nr`; they are killed like foreign architectures. */
const X32_SYSCALL_BIT = 0x4000_0000;
const EPERM = 1;
const ENOSYS = 38;

/** True where Kumo knows the syscall numbers (x86_64). Elsewhere instances run without the filter. */
export const seccompSupported = (): boolean => process.arch === 'x64';

/** The filter as a classic BPF program for `bwrap --seccomp FD` (x86_64). */
export function seccompProgram(): Buffer {
  const p = new BpfProgram();
  p.load(DATA.arch).jeq(AUDIT_ARCH_X86_64, null, 'kill');
  p.load(DATA.nr).jge(X32_SYSCALL_BIT, 'kill');
  p.jeq(CLONE, 'clone').jeq(UNSHARE, 'unshare').jeq(PERSONALITY, 'personality');
  for (const nr of Object.values(ENOSYS_SYSCALLS)) p.jeq(nr, 'enosys');
  for (const nr of Object.values(BLOCKED_SYSCALLS)) p.jeq(nr, 'eperm');
  p.ret(RET.allow);
  // clone and unshare: only the low 32 bits of the flags count (the kernel ignores or rejects the rest).
  p.label('clone').load(DATA.argLow(0)).jset(NAMESPACE_FLAGS, 'eperm').ret(RET.allow);
  p.label('unshare')
    .load(DATA.argLow(0))
    .jset(NAMESPACE_FLAGS | CLONE_NEWTIME, 'eperm')
    .ret(RET.allow);
  p.label('personality').load(DATA.argHigh(0)).jeq(0, null, 'eperm').load(DATA.argLow(0));
  for (const value of PERSONALITIES) p.jeq(value, 'allow');
  p.jump('eperm');
  p.label('allow').ret(RET.allow);
  p.label('eperm').ret(RET.errno(EPERM));
  p.label('enosys').ret(RET.errno(ENOSYS));
  p.label('kill').ret(RET.killProcess);
  return p.assemble();
}

const bitsOf = (mask: number): number[] =>
  Array.from({ length: 32 }, (_, i) => 2 ** i).filter((bit) => (mask & bit) !== 0);

/**
 * The same filter as an OCI `linux.seccomp` object for runc (libseccomp compiles it). Rules for one syscall are
 * alternatives, so "any namespace flag" is one rule per flag; `personality` is refused for any value outside
 * PERSONALITIES through a rule that compares the argument against each allowed value.
 */
export function ociSeccomp(): Record<string, unknown> {
  const errno = (names: string[], errnoRet: number, args?: unknown[]) => ({
    names,
    action: 'SCMP_ACT_ERRNO',
    errnoRet,
    ...(args && { args }),
  });
  const flagRules = (name: string, mask: number) =>
    bitsOf(mask).map((bit) =>
      errno([name], EPERM, [{ index: 0, value: bit, valueTwo: bit, op: 'SCMP_CMP_MASKED_EQ' }]),
    );
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      errno(Object.keys(BLOCKED_SYSCALLS), EPERM),
      errno(Object.keys(ENOSYS_SYSCALLS), ENOSYS),
      ...flagRules('clone', NAMESPACE_FLAGS),
      ...flagRules('unshare', NAMESPACE_FLAGS | CLONE_NEWTIME),
      errno(
        ['personality'],
        EPERM,
        PERSONALITIES.map((value) => ({ index: 0, value, op: 'SCMP_CMP_NE' })),
      ),
    ],
  };
}
