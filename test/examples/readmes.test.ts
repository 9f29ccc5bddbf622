// Every example has a README that says what it shows and how to deploy and call it, under the service and
// function its own template declares (each example has a service of its own, named after its folder).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTemplate } from '../../src/cli/template/index.js';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

for (const example of readdirSync(EXAMPLES).sort()) {
  test(`examples/${example}: its own service, and a README that deploys and calls it`, () => {
    const project = readTemplate(join(EXAMPLES, example));
    assert.deepEqual(
      project.services.map((s) => s.serviceName),
      [example],
      'one service, named after the folder',
    );
    const readme = join(EXAMPLES, example, 'README.md');
    assert.ok(existsSync(readme), `${readme} is missing`);
    const text = readFileSync(readme, 'utf8');
    assert.match(text, /kumo deploy/);
    const fn = project.services[0]?.functions[0];
    const http = fn?.triggers.some((t) => t.triggerType === 'http');
    const target = `${example}/${fn?.functionName}`;
    assert.ok(
      text.includes(http ? `proxy/${target}/` : `kumo invoke ${target}`),
      `the README calls ${target}`,
    );
  });
}
