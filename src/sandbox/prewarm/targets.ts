import { DEFAULTS, LIMITS } from '../../model/index.js';

/**
 * Runtimes whose agents can start without a function (runtimes/nodejs/prewarm.cjs, runtimes/python/agent.py,
 * runtimes/php/prewarm.php, runtimes/runtime-api/prewarm.cjs, runtimes/java/…/Prewarm.java).
 */
export const PREWARM_RUNTIME = /^(nodejs\d+(\.\d+)?|python3(\.\d+)?|php7\.2|go1|java8|java11)$/;
/**
 * `kumo serve`'s pre-warmed pools when neither --prewarm nor KUMO_PREWARM says otherwise: one instance each of the
 * two most used runtimes (about 40 MB + 15 MB idle), so a new function's first call skips the interpreter start.
 */
export const SERVE_PREWARM_DEFAULT = 'nodejs20=1,python3.10=1';
/** Most instances one runtime's pool keeps ready. */
export const MAX_POOL_SIZE = 32;

/** One pool asked for: `name` is `runtime` or `runtime:memoryMb` (its label on /metrics). */
export interface PrewarmRequest {
  name: string;
  runtime: string;
  size: number;
  /** The memory size of the functions it serves when the runtime's command depends on it (Node.js' heap). */
  memoryMb?: number;
}

/**
 * Parses `nodejs20=2,nodejs20:512=1,python3.10=1` (empty or `0`: no pools); throws an Error saying what is wrong.
 * `:<MB>` sizes the pool's instances for functions of that memory size (default: FC's 128 MB).
 */
export function parsePrewarm(value: string): PrewarmRequest[] {
  const text = value.trim();
  if (text === '' || text === '0') return [];
  const seen = new Set<string>();
  return text.split(',').map((part) => {
    const match = /^\s*([a-z0-9.]+)(?::(\d+))?\s*=\s*(\d+)\s*$/.exec(part);
    const runtime = match?.[1] ?? '';
    const memoryMb = match?.[2] === undefined ? undefined : Number(match[2]);
    const size = Number(match?.[3]);
    if (!match)
      throw new Error(`'${part.trim()}' is not runtime[:memoryMB]=count (e.g. nodejs20=2, nodejs20:512=1)`);
    if (!PREWARM_RUNTIME.test(runtime))
      throw new Error(
        `runtime '${runtime}' cannot be pre-warmed (nodejs*, python3*, php7.2, go1, java8 and java11 can)`,
      );
    const name = memoryMb === undefined ? runtime : `${runtime}:${memoryMb}`;
    const { memoryMinMb: min, memoryMaxMb: max, memoryStepMb: step } = LIMITS;
    if (memoryMb !== undefined && (memoryMb < min || memoryMb > max || memoryMb % step !== 0))
      throw new Error(`${name}: the memory size must be a multiple of ${step} from ${min} to ${max} MB`);
    if (size > MAX_POOL_SIZE) throw new Error(`${name}=${size}: at most ${MAX_POOL_SIZE} per pool`);
    const key = `${runtime}:${memoryMb ?? DEFAULTS.memorySize}`;
    if (seen.has(key)) throw new Error(`pool '${name}' is given twice`);
    seen.add(key);
    return memoryMb === undefined ? { name, runtime, size } : { name, runtime, size, memoryMb };
  });
}
