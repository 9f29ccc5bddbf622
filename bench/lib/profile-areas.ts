// Sums a V8 CPU profile's self time by area (Kumo's code, undici, Node's HTTP and streams, syscalls …), so the
// floor a request pays outside Kumo's own code shows beside what Kumo adds.

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const AREAS: Array<[string, (url: string, name: string) => boolean]> = [
  ['idle', (url, name) => !url && name === '(idle)'],
  ['garbage collector', (url, name) => !url && name === '(garbage collector)'],
  ['V8 (program)', (url, name) => !url && name === '(program)'],
  [
    'undici (incl. its wasm llhttp)',
    (url) => url.includes('/node_modules/undici/') || url.startsWith('wasm://'),
  ],
  ['Fastify', (url) => /\/node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request)\//.test(url)],
  ['prom-client', (url) => url.includes('/node_modules/prom-client/')],
  ['pino', (url) => url.includes('/node_modules/pino')],
  ['other libraries', (url) => url.includes('/node_modules/')],
  ["Kumo's code (src/)", (url) => url.includes('/src/')],
  ['Node.js core (http, streams, events, timers)', (url) => url.startsWith('node:')],
  ['native: syscalls and C++ bindings (writev, read, HMAC …)', (url) => !url],
];

/** Self samples per area, in AREAS order (every node lands in the first area that claims it). */
export function areaShares(nodes: readonly ProfileNode[]): Array<{ area: string; samples: number }> {
  const totals = new Map<string, number>(AREAS.map(([area]) => [area, 0]));
  for (const node of nodes) {
    const { url, functionName } = node.callFrame;
    const area = AREAS.find(([, claims]) => claims(url, functionName))?.[0] ?? 'other';
    totals.set(area, (totals.get(area) ?? 0) + (node.hitCount ?? 0));
  }
  return [...totals].map(([area, samples]) => ({ area, samples }));
}

/** Prints each area's share of the busy (not idle) samples and what that is per call of `cpuPerCallUs`. */
export function printAreas(nodes: readonly ProfileNode[], cpuPerCallUs: number): void {
  const shares = areaShares(nodes).filter((s) => s.area !== 'idle');
  const busy = shares.reduce((sum, s) => sum + s.samples, 0) || 1;
  console.log(
    `\nby area (share of the busy samples; µs per call of the ${Math.round(cpuPerCallUs)} µs measured):`,
  );
  for (const { area, samples } of shares.sort((a, b) => b.samples - a.samples)) {
    const share = samples / busy;
    console.log(
      `${(100 * share).toFixed(1).padStart(5)}%  ${(share * cpuPerCallUs).toFixed(0).padStart(4)} µs  ${area}`,
    );
  }
}
