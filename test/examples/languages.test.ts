// One custom-runtime example per language of FC's list (examples/<lang>/), each built, deployed with
// `kumo deploy` and invoked with `kumo invoke` against a real Kumo. A language whose toolchain is not on
// PATH is skipped with the Debian packages to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runKumo } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Example {
  lang: string;
  /** The deploy file in examples/<lang>/. */
  template: 'template.yml' | 's.yaml';
  /** Programs that must be on PATH to build and run it. */
  tools: string[];
  /** Why it is skipped when a tool is missing. */
  install: string;
  /** An extra check that the toolchain is usable (e.g. a library is installed); returns a reason if not. */
  probe?: () => string | undefined;
}

const EXAMPLES: Example[] = [
  {
    lang: 'typescript',
    template: 'template.yml',
    tools: ['node', 'npx'],
    install: 'npm install (typescript is a devDependency)',
    probe: () =>
      existsSync(join(ROOT, 'node_modules/typescript/bin/tsc'))
        ? undefined
        : 'typescript is not installed: npm install',
  },
  { lang: 'ruby', template: 's.yaml', tools: ['ruby'], install: 'apt-get install ruby' },
  { lang: 'go', template: 'template.yml', tools: ['go'], install: 'apt-get install golang-go' },
  { lang: 'cpp', template: 'template.yml', tools: ['g++'], install: 'apt-get install g++' },
  {
    lang: 'lua',
    template: 'template.yml',
    tools: ['lua5.4'],
    install: 'apt-get install lua5.4 lua-socket',
    probe: () =>
      spawnSync('lua5.4', ['-e', 'require("socket")'], { encoding: 'utf8' }).status === 0
        ? undefined
        : 'LuaSocket is not installed for lua5.4: apt-get install lua-socket',
  },
  { lang: 'php', template: 's.yaml', tools: ['php'], install: 'apt-get install php-cli' },
  {
    lang: 'csharp',
    template: 'template.yml',
    tools: ['mcs', 'mono'],
    install: 'apt-get install mono-mcs',
  },
  {
    lang: 'powershell',
    template: 'template.yml',
    tools: ['pwsh'],
    install: 'install PowerShell 7 with pwsh under /usr (it is not a Debian package)',
  },
  {
    lang: 'fsharp',
    template: 'template.yml',
    tools: ['dotnet'],
    install: 'install the .NET 8 SDK with dotnet under /usr (it is not a Debian package)',
  },
];

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function skipReason(example: Example): string | undefined {
  const missing = example.tools.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `${missing.join(', ')} not on PATH: ${example.install}`;
  return example.probe?.();
}

for (const example of EXAMPLES) {
  const { lang } = example;
  const dir = join(ROOT, 'examples', lang);
  const reason = skipReason(example);
  test(`examples/${lang}: builds, deploys with kumo deploy, initializes and answers kumo invoke`, {
    skip: reason ?? false,
    timeout: 90_000,
  }, async (t) => {
    const buildScript = join(dir, 'build.sh');
    if (existsSync(buildScript)) {
      const build = spawnSync(buildScript, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(
        build.status,
        0,
        `examples/${lang}/build.sh failed (${build.error?.message ?? `status ${build.status}`}):\n${build.stdout}${build.stderr}`,
      );
    }

    const { server } = await startTestServer(t);
    const endpoint = server.url;
    const deploy = await runKumo(['deploy', '-t', `examples/${lang}/${example.template}`], {
      endpoint,
      cwd: ROOT,
    });
    assert.equal(deploy.code, 0, `kumo deploy failed:\n${deploy.stdout}${deploy.stderr}`);

    const first = await runKumo(['invoke', `${lang}/${lang}-hello`, '-e', 'Kumo'], { endpoint, cwd: ROOT });
    const output = `${first.stdout}${first.stderr}`;
    assert.equal(first.code, 0, `kumo invoke failed:\n${output}`);
    assert.match(first.stdout, new RegExp(`FC Invoke Result:\\nHello, Kumo! from ${lang}\\n`), output);
    const requestId = /FC Invoke Start RequestId: (\S+)/.exec(first.stdout)?.[1];
    assert.ok(requestId, output);
    // Both lines in FC's log format, attributed to this request (the initializer runs within it).
    const line = (message: string) =>
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z ${requestId} \\[INFO\\] ${message}$`,
        'm',
      );
    assert.match(first.stdout, line(`${lang} initialized`), output);
    assert.match(first.stdout, line(`${lang} handled Kumo`), output);

    // The same instance again: no second /initialize, and an empty event greets the world.
    const second = await runKumo(['invoke', `${lang}/${lang}-hello`], { endpoint, cwd: ROOT });
    assert.equal(second.code, 0, `${second.stdout}${second.stderr}`);
    assert.match(second.stdout, new RegExp(`FC Invoke Result:\\nHello, world! from ${lang}\\n`));
    assert.match(second.stdout, new RegExp(`${lang} handled world`));
    assert.doesNotMatch(second.stdout, /initialized/);
  });
}
