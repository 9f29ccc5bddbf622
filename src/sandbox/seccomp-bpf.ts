/**
 * A small assembler for classic BPF seccomp programs (`struct sock_filter`, 8 bytes each: u16 code, u8 jt, u8 jf,
 * u32 k, little-endian on x86_64). Jumps name labels; `assemble()` resolves them to the forward offsets the kernel
 * wants and refuses anything it cannot encode.
 */

/** `struct seccomp_data` offsets. */
export const DATA = {
  nr: 0,
  arch: 4,
  /** Low and high 32 bits of syscall argument `i` (0-5). */
  argLow: (i: number) => 16 + 8 * i,
  argHigh: (i: number) => 20 + 8 * i,
} as const;

export const RET = {
  killProcess: 0x8000_0000,
  allow: 0x7fff_0000,
  errno: (errno: number) => 0x0005_0000 | (errno & 0xffff),
} as const;

const BPF_LD_W_ABS = 0x20;
const BPF_JMP_JEQ_K = 0x15;
const BPF_JMP_JGE_K = 0x35;
const BPF_JMP_JSET_K = 0x45;
const BPF_JMP_JA = 0x05;
const BPF_RET_K = 0x06;

/** The kernel's BPF_MAXINSNS. */
const MAX_INSTRUCTIONS = 4096;

type Target = string | null;
type Instruction =
  | { op: 'load'; offset: number }
  | { op: 'jeq' | 'jge' | 'jset'; k: number; then: Target; else: Target }
  | { op: 'jump'; to: string }
  | { op: 'ret'; value: number }
  | { op: 'label'; name: string };

export class BpfProgram {
  readonly #code: Instruction[] = [];

  /** A = the 32-bit word at `offset` of `struct seccomp_data`. */
  load(offset: number): this {
    this.#code.push({ op: 'load', offset });
    return this;
  }

  /** if A == k goto `then` else `otherwise` (null: the next instruction). */
  jeq(k: number, then: Target, otherwise: Target = null): this {
    this.#code.push({ op: 'jeq', k, then, else: otherwise });
    return this;
  }

  /** if A >= k goto `then` else `otherwise`. */
  jge(k: number, then: Target, otherwise: Target = null): this {
    this.#code.push({ op: 'jge', k, then, else: otherwise });
    return this;
  }

  /** if (A & k) != 0 goto `then` else `otherwise`. */
  jset(k: number, then: Target, otherwise: Target = null): this {
    this.#code.push({ op: 'jset', k, then, else: otherwise });
    return this;
  }

  jump(to: string): this {
    this.#code.push({ op: 'jump', to });
    return this;
  }

  ret(value: number): this {
    this.#code.push({ op: 'ret', value });
    return this;
  }

  label(name: string): this {
    this.#code.push({ op: 'label', name });
    return this;
  }

  /** The program as the bytes `bwrap --seccomp FD` (and `SECCOMP_SET_MODE_FILTER`) take. */
  assemble(): Buffer {
    const at = new Map<string, number>();
    const real: Exclude<Instruction, { op: 'label' }>[] = [];
    for (const instruction of this.#code) {
      if (instruction.op !== 'label') real.push(instruction);
      else if (at.has(instruction.name)) throw new Error(`BPF label '${instruction.name}' defined twice`);
      else at.set(instruction.name, real.length);
    }
    if (real.length === 0 || real.length > MAX_INSTRUCTIONS)
      throw new Error(`a BPF program needs 1-${MAX_INSTRUCTIONS} instructions, not ${real.length}`);
    const last = real.at(-1);
    if (last?.op !== 'ret' && last?.op !== 'jump') throw new Error('a BPF program must end with a return');
    const offset = (from: number, target: Target, limit: number): number => {
      if (target === null) return 0;
      const to = at.get(target);
      if (to === undefined) throw new Error(`BPF label '${target}' is not defined`);
      const distance = to - from - 1;
      if (distance < 0 || distance > limit)
        throw new Error(`BPF jump to '${target}' is ${distance} instructions away (allowed 0-${limit})`);
      return distance;
    };
    const out = Buffer.alloc(real.length * 8);
    real.forEach((instruction, i) => {
      let code: number;
      let jt = 0;
      let jf = 0;
      let k: number;
      switch (instruction.op) {
        case 'load':
          [code, k] = [BPF_LD_W_ABS, instruction.offset];
          break;
        case 'ret':
          [code, k] = [BPF_RET_K, instruction.value];
          break;
        case 'jump':
          [code, k] = [BPF_JMP_JA, offset(i, instruction.to, 0xffff_ffff)];
          break;
        default:
          code = { jeq: BPF_JMP_JEQ_K, jge: BPF_JMP_JGE_K, jset: BPF_JMP_JSET_K }[instruction.op];
          k = instruction.k;
          jt = offset(i, instruction.then, 255);
          jf = offset(i, instruction.else, 255);
      }
      out.writeUInt16LE(code, i * 8);
      out.writeUInt8(jt, i * 8 + 2);
      out.writeUInt8(jf, i * 8 + 3);
      out.writeUInt32LE(k >>> 0, i * 8 + 4);
    });
    return out;
  }
}
