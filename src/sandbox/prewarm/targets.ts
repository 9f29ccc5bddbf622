/**
 * Runtimes whose agents can start without a function (runtimes/nodejs/prewarm.cjs, runtimes/python/agent.py,
 * runtimes/java/…/Prewarm.java).
 */
export const PREWARM_RUNTIME = /^(nodejs\d+(\.\d+)?|python3(\.\d+)?|java8|java11)$/;
/**
 * `kumo serve`'s pre-warmed pools when neither --prewarm nor KUMO_PREWARM says otherwise: one instance each of the
 * two most used runtimes (about 40 MB + 15 MB idle), so a new function's first call skips the interpreter start.
 */
export const SERVE_PREWARM_DEFAULT = 'nodejs20=1,python3.10=1';
/** Most instances one runtime's pool keeps ready. */
export const MAX_POOL_SIZE = 32;

/** Parses `nodejs20=2,python3.10=1` (empty or `0`: no pools); throws an Error saying what is wrong. */
export function parsePrewarm(value: string): Array<{ runtime: string; size: number }> {
  const text = value.trim();
  if (text === '' || text === '0') return [];
  const seen = new Set<string>();
  return text.split(',').map((part) => {
    const match = /^\s*([a-z0-9.]+)\s*=\s*(\d+)\s*$/.exec(part);
    const runtime = match?.[1] ?? '';
    const size = Number(match?.[2]);
    if (!match) throw new Error(`'${part.trim()}' is not runtime=count (e.g. nodejs20=2)`);
    if (!PREWARM_RUNTIME.test(runtime))
      throw new Error(`runtime '${runtime}' cannot be pre-warmed (nodejs*, python3*, java8 and java11 can)`);
    if (size > MAX_POOL_SIZE) throw new Error(`${runtime}=${size}: at most ${MAX_POOL_SIZE} per runtime`);
    if (seen.has(runtime)) throw new Error(`runtime '${runtime}' is given twice`);
    seen.add(runtime);
    return { runtime, size };
  });
}
