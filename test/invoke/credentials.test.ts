import assert from 'node:assert/strict';
import { test } from 'node:test';
import FC from '@alicloud/fc2';
import { deployCustom, invoke, NODE_RUNTIME } from '../helpers/functions.js';
import { ACCOUNT_ID, startTestServer } from '../helpers/server.js';

test("a call's temporary credentials work on Kumo's API, only for the function's own service", async (t) => {
  const { fc, server } = await startTestServer(t);
  await deployCustom(fc, 'mine', 'fn', NODE_RUNTIME);
  await fc.createService('theirs');
  const { headers } = JSON.parse((await invoke(fc, 'mine', 'fn', 'headers')).body) as {
    headers: Record<string, string>;
  };
  const temporary = (securityToken: string) =>
    new FC(ACCOUNT_ID, {
      accessKeyID: headers['X-Fc-Access-Key-Id'] as string,
      accessKeySecret: headers['X-Fc-Access-Key-Secret'] as string,
      securityToken,
      region: 'local',
      endpoint: server.url,
    });
  const scoped = temporary(headers['X-Fc-Security-Token'] as string);
  const own = await scoped.listFunctions('mine');
  assert.deepEqual(
    own.data.functions.map((f) => f.functionName),
    ['fn'],
  );
  // FC's read-only policy: versions and aliases may be read, not published or changed.
  await fc.publishVersion('mine');
  await fc.createAlias('mine', 'prod', '1');
  assert.equal((await scoped.listVersions('mine')).data.versions.length, 1);
  assert.equal((await scoped.getAlias('mine', 'prod')).data.versionId, '1');
  assert.equal((await scoped.listAliases('mine')).data.aliases.length, 1);
  await assert.rejects(scoped.publishVersion('mine'), { code: 'AccessDenied' });
  await assert.rejects(scoped.createAlias('mine', 'x', '1'), { code: 'AccessDenied' });
  await assert.rejects(scoped.updateAlias('mine', 'prod', '1'), { code: 'AccessDenied' });
  await assert.rejects(scoped.deleteAlias('mine', 'prod'), { code: 'AccessDenied' });
  await assert.rejects(scoped.deleteVersion('mine', '1'), { code: 'AccessDenied' });
  await assert.rejects(scoped.listVersions('theirs'), { code: 'AccessDenied' });
  await assert.rejects(scoped.getService('theirs'), { code: 'AccessDenied' });
  await assert.rejects(scoped.listServices(), { code: 'AccessDenied' });
  await assert.rejects(temporary('wrong-token').listFunctions('mine'), { code: 'AccessDenied' });
});
