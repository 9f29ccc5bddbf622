/**
 * FC's instance environment (FC_RUNTIME.md §1.6, docs/environment.md): the variables an FC instance finds set
 * before its own, per runtime family. A function's `environmentVariables` are applied over these, and FC's
 * reserved `FC_*` variables over both.
 */

/** The system directories of FC's Debian images, in FC's order. */
const SYSTEM_DIRS = '/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/sbin:/bin';
/** Where FC's layers put executables and libraries (`/opt/bin`, `/opt/lib`), then the code's own. */
const LAYER_AND_CODE_DIRS = '/opt/bin:/code:/code/bin';

/** Variables every FC instance of a code-package runtime (built-in or custom) starts with. */
const COMMON: Readonly<Record<string, string>> = {
  LD_LIBRARY_PATH: '/code:/code/lib:/usr/local/lib:/opt/lib',
  HOME: '/tmp',
  TZ: 'UTC',
  LANG: 'C.UTF-8',
  FC_FUNC_LOG_PATH: '/var/log/fc',
};

/** Custom runtimes: FC's image also installs Ruby under `/usr/local/ruby`. */
export const CUSTOM_ENV: Readonly<Record<string, string>> = {
  ...COMMON,
  PATH: `${SYSTEM_DIRS}:/usr/local/ruby/bin:${LAYER_AND_CODE_DIRS}`,
  PYTHONPATH: '/code',
};

/** `nodejs<major>`: layers' modules first (`/opt/nodejs/node<major>/node_modules` before the shared ones). */
export function nodejsEnv(runtime: string): Record<string, string> {
  const major = /^nodejs(\d+)(\.\d+)?$/.exec(runtime)?.[1] ?? '';
  return {
    ...COMMON,
    PATH: `${SYSTEM_DIRS}:${LAYER_AND_CODE_DIRS}:/code/node_modules/.bin`,
    NODE_PATH: `/opt/nodejs/node${major}/node_modules:/opt/nodejs/node_modules:/usr/local/lib/node_modules`,
  };
}

/** `python3*`: the code, then the layers' packages. */
export const PYTHON_ENV: Readonly<Record<string, string>> = {
  ...COMMON,
  PATH: `${SYSTEM_DIRS}:${LAYER_AND_CODE_DIRS}`,
  PYTHONPATH: '/code:/code/python:/opt/python',
};

/**
 * `php7.2`: FC's runtime reads extra `.ini` files from the code's `extension/` folder and layers' `/opt/php`
 * (PHP_INI_SCAN_DIR); `systemIniDir` keeps the machine's own extensions loaded.
 */
export function phpEnv(systemIniDir: string): Record<string, string> {
  return {
    ...COMMON,
    PATH: `${SYSTEM_DIRS}:${LAYER_AND_CODE_DIRS}`,
    PHP_INI_SCAN_DIR: [systemIniDir, '/code/extension', '/opt/php'].filter(Boolean).join(':'),
  };
}

/** `go1`: FC's Go runtime image is its Debian base; the executable is in the code root. */
export const GO_ENV: Readonly<Record<string, string>> = {
  ...COMMON,
  PATH: `${SYSTEM_DIRS}:${LAYER_AND_CODE_DIRS}`,
};

/** `java8`/`java11`: the code's own jars are found by the agent (`/code/lib/*.jar`, layers' `/opt/java/lib`). */
export const JAVA_ENV: Readonly<Record<string, string>> = {
  ...COMMON,
  PATH: `${SYSTEM_DIRS}:${LAYER_AND_CODE_DIRS}`,
};
