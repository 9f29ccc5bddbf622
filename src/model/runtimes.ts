/** Every runtime name FC 2.0 accepts; whether this Kumo can serve one is the runtime registry's call. */
export const KNOWN_RUNTIMES = [
  'nodejs4.4',
  'nodejs6',
  'nodejs8',
  'nodejs10',
  'nodejs12',
  'nodejs14',
  'nodejs16',
  'nodejs18',
  'nodejs20',
  'python2.7',
  'python3',
  'python3.9',
  'python3.10',
  'php7.2',
  'java8',
  'java11',
  'dotnetcore2.1',
  'dotnetcore3.1',
  'go1',
  'custom',
  'custom.debian10',
  'custom.debian11',
  'custom-container',
] as const;

export type RuntimeName = (typeof KNOWN_RUNTIMES)[number];

export function isKnownRuntime(name: string): name is RuntimeName {
  return (KNOWN_RUNTIMES as readonly string[]).includes(name);
}
