import type { SandboxSpec } from '../types.js';

/** What a pool's instances are started with: a built-in runtime's spec for no function in particular. */
export type GenericSpec = Omit<SandboxSpec, 'instanceId' | 'codeDir'>;

/**
 * Variables an interpreter reads once, when it starts (module paths, loader, locale, time zone, allocator, the
 * JVM's options and class path): a function setting one to another value than the pool's needs an instance
 * started with it.
 */
const STARTUP_VARIABLE =
  /^(NODE_|UV_|PYTHON|PHPRC$|PHP_INI_SCAN_DIR$|LD_|LC_|LANG$|LANGUAGE$|TZ$|TZDIR$|MALLOC_|GLIBC_|OPENSSL_|SSL_CERT_|HOME$|PATH$|TMPDIR$|JAVA_TOOL_OPTIONS$|_JAVA_|JDK_JAVA_OPTIONS$|CLASSPATH$)/;

/** Runtimes whose command ends with the function's executable (go1's bridge: `/code/<handler>`). */
const PROGRAM_LAST = new Set(['go1']);

/**
 * The command a pool instance of `runtime` is started with for a function started with `command`: the same, but
 * for go1 without the executable (its bridge gets it at specialisation from FC_FUNCTION_HANDLER); undefined when
 * the command does not end with `/code/<handler>` as a pool instance will run it.
 */
export function poolCommand(
  runtime: string,
  command: readonly string[],
  handler: string | undefined,
): string[] | undefined {
  if (!PROGRAM_LAST.has(runtime)) return [...command];
  return command.at(-1) === `/code/${handler ?? ''}` ? command.slice(0, -1) : undefined;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether an instance of the pool (`generic`, for `runtime`) can become the instance `spec` asks for: the same
 * interpreter, argv, agent and install-path mounts, port and /tmp size, internet access, no layers or image, and
 * the same start-up variables. Memory, vCPUs and pids are the spec's own after specialisation (cgroup limits);
 * for Node.js and Java the heap limit is in argv, so only functions of the pool's memory size match.
 */
export function servesSpec(runtime: string, generic: GenericSpec, spec: SandboxSpec): boolean {
  if (spec.image || spec.env.FC_RUNTIME !== runtime || spec.internetAccess === false) return false;
  if (spec.port !== generic.port || spec.tmpSizeMb !== generic.tmpSizeMb) return false;
  if (!same(poolCommand(runtime, spec.command, spec.env.FC_FUNCTION_HANDLER), generic.command)) return false;
  if (!same(spec.readOnlyMounts ?? [], generic.readOnlyMounts ?? [])) return false;
  if (!same(spec.fcPaths ?? {}, generic.fcPaths ?? {})) return false;
  for (const [name, value] of Object.entries(generic.env)) if (spec.env[name] !== value) return false;
  for (const name of Object.keys(spec.env)) {
    if (!(name in generic.env) && STARTUP_VARIABLE.test(name)) return false;
  }
  return true;
}
