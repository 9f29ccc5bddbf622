import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AUDIT_ARCH_X86_64,
  BLOCKED_SYSCALLS,
  ENOSYS_SYSCALLS,
  ociSeccomp,
  seccompProgram,
} from '../../src/sandbox/seccomp.js';
import { BpfProgram, RET } from '../../src/sandbox/seccomp-bpf.js';

/** Runs a classic BPF seccomp program the way the kernel does, on one `struct seccomp_data`. */
function runFilter(program: Buffer, data: { arch: number; nr: number; args?: bigint[] }): number {
  const words = Buffer.alloc(64);
  words.writeInt32LE(data.nr, 0);
  words.writeUInt32LE(data.arch, 4);
  for (const [i, arg] of (data.args ?? []).entries()) words.writeBigUInt64LE(arg, 16 + 8 * i);
  let a = 0;
  for (let pc = 0; pc < program.length / 8; pc++) {
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) a = words.readUInt32LE(k);
    else if (code === 0x06) return k;
    else if (code === 0x05) pc += k;
    else if (code === 0x15) pc += a === k ? jt : jf;
    else if (code === 0x35) pc += a >= k ? jt : jf;
    else if (code === 0x45) pc += (a & k) !== 0 ? jt : jf;
    else throw new Error(`unknown BPF code ${code}`);
  }
  throw new Error('fell off the end of the program');
}

const EPERM = RET.errno(1);
const ENOSYS = RET.errno(38);
const x86 = (nr: number, ...args: number[]) => ({
  arch: AUDIT_ARCH_X86_64,
  nr,
  args: args.map((arg) => BigInt(arg)),
});

describe('seccomp: BPF assembler', () => {
  test('encodes struct sock_filter exactly, resolving labels to forward offsets', () => {
    const bytes = new BpfProgram()
      .load(4)
      .jeq(7, 'yes', 'no')
      .label('no')
      .ret(0)
      .label('yes')
      .ret(1)
      .assemble();
    assert.equal(
      bytes.toString('hex'),
      ['2000000004000000', '1500010007000000', '0600000000000000', '0600000001000000'].join(''),
    );
  });

  test('refuses undefined and duplicate labels, backward jumps and a missing final return', () => {
    assert.throws(() => new BpfProgram().jeq(1, 'nowhere').ret(0).assemble(), /not defined/);
    assert.throws(() => new BpfProgram().label('a').label('a').ret(0).assemble(), /defined twice/);
    assert.throws(() => new BpfProgram().label('back').ret(0).jeq(1, 'back').ret(0).assemble(), /away/);
    assert.throws(() => new BpfProgram().load(0).assemble(), /must end with a return/);
    const far = new BpfProgram().jeq(1, 'end');
    for (let i = 0; i < 256; i++) far.load(0);
    assert.throws(() => far.label('end').ret(0).assemble(), /256 instructions away/);
  });
});

describe('seccomp: the instance filter', () => {
  const program = seccompProgram();

  test('new user (and other) namespaces are refused; threads, fork and CLONE_FILES are not', () => {
    const CLONE_NEWUSER = 0x1000_0000;
    const CLONE_NEWNET = 0x4000_0000;
    const threadFlags = 0x003d_0f00; // what glibc's pthread_create passes
    assert.equal(runFilter(program, x86(272, CLONE_NEWUSER)), EPERM, 'unshare(CLONE_NEWUSER)');
    assert.equal(runFilter(program, x86(272, 0x80)), EPERM, 'unshare(CLONE_NEWTIME)');
    assert.equal(runFilter(program, x86(272, 0x400)), RET.allow, 'unshare(CLONE_FILES)');
    assert.equal(runFilter(program, x86(56, CLONE_NEWUSER | 17)), EPERM, 'clone(CLONE_NEWUSER)');
    assert.equal(runFilter(program, x86(56, CLONE_NEWNET | 17)), EPERM, 'clone(CLONE_NEWNET)');
    assert.equal(runFilter(program, x86(56, threadFlags)), RET.allow, 'clone for a thread');
    assert.equal(runFilter(program, x86(56, 0x0120_0011)), RET.allow, 'clone for fork');
    assert.equal(runFilter(program, x86(435)), ENOSYS, 'clone3: ENOSYS so glibc falls back to clone');
  });

  test('every listed syscall is refused with EPERM (ENOSYS for the fallbacks); ordinary ones pass', () => {
    for (const [name, nr] of Object.entries(BLOCKED_SYSCALLS))
      assert.equal(runFilter(program, x86(nr)), EPERM, name);
    for (const [name, nr] of Object.entries(ENOSYS_SYSCALLS))
      assert.equal(runFilter(program, x86(nr)), ENOSYS, name);
    for (const nr of [0, 1, 2, 9, 39, 41, 42, 57, 59, 60, 231, 257])
      assert.equal(runFilter(program, x86(nr)), RET.allow);
  });

  test('personality: only the values Docker allows', () => {
    for (const value of [0, 8, 0x20000, 0x20008, 0xffffffff])
      assert.equal(runFilter(program, x86(135, value)), RET.allow, `personality(${value})`);
    assert.equal(runFilter(program, x86(135, 0x40000)), EPERM, 'ADDR_NO_RANDOMIZE');
    assert.equal(runFilter(program, x86(135, 0x400000)), EPERM, 'READ_IMPLIES_EXEC');
    const highBits = { ...x86(135), args: [0x1_0000_0000n] };
    assert.equal(runFilter(program, highBits), EPERM, 'high bits set');
  });

  test('other architectures and the x32 ABI kill the process', () => {
    assert.equal(runFilter(program, { arch: 0x4000_0003, nr: 1 }), RET.killProcess, 'i386');
    assert.equal(runFilter(program, x86(0x4000_0000 + 272)), RET.killProcess, 'x32 unshare');
  });

  test('the runc profile refuses the same syscalls, one rule per namespace flag', () => {
    const profile = ociSeccomp() as {
      defaultAction: string;
      syscalls: Array<{ names: string[]; errnoRet: number }>;
    };
    assert.equal(profile.defaultAction, 'SCMP_ACT_ALLOW');
    const refused = (name: string) => profile.syscalls.filter((rule) => rule.names.includes(name));
    for (const name of Object.keys(BLOCKED_SYSCALLS)) assert.equal(refused(name)[0]?.errnoRet, 1, name);
    assert.equal(refused('clone3')[0]?.errnoRet, 38);
    assert.equal(refused('clone').length, 7);
    assert.equal(refused('unshare').length, 8);
  });
});
