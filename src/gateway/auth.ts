import type { IncomingHttpHeaders } from 'node:http';
import { checkServiceScope, type KeyRing, safeDecode, sign, verifyFcSignature } from '../api/index.js';
import { canonicalResource, signaturesEqual } from '../api/signature.js';
import { FcError, type HttpTriggerConfig } from '../model/index.js';

/**
 * HTTP trigger access (FC_API.md §4.4): `anonymous` lets anyone in; `function` needs an FC signature over the
 * proxy path and query, or a signed URL (`x-fc-expires`, `x-fc-access-key-id`, `x-fc-signature`). A function's
 * temporary key only opens its own service's triggers (`serviceName` is the resolved target's).
 */
export function authorizeTrigger(
  config: HttpTriggerConfig,
  request: { method: string; url: string; headers: IncomingHttpHeaders },
  keys: KeyRing,
  serviceName: string,
  now = Date.now(),
): void {
  if (config.authType === 'anonymous') return;
  const [path = '/', rawQuery = ''] = request.url.split('?', 2);
  const query = new URLSearchParams(rawQuery);
  const signature = query.get('x-fc-signature');
  if (signature === null) {
    // Decoded and raw are usually the same path: sign it once (a wrong signature costs one HMAC, not two).
    const paths = [...new Set([safeDecode(path), path])];
    const key = verifyFcSignature(request, keys, { paths, now });
    checkServiceScope(key, serviceName);
    return;
  }
  const expires = Number(query.get('x-fc-expires'));
  const accessKeyId = query.get('x-fc-access-key-id') ?? '';
  if (!Number.isInteger(expires))
    throw new FcError('AccessDenied', 'a signed URL needs x-fc-expires (unix seconds)');
  if (expires * 1000 < now)
    throw new FcError('AccessDenied', `the signed URL expired at ${new Date(expires * 1000).toISOString()}`);
  const key = keys.get(accessKeyId);
  if (!key) throw new FcError('InvalidAccessKeyID', `the access key id '${accessKeyId}' does not exist`);
  if (key.securityToken !== undefined && query.get('x-fc-security-token') !== key.securityToken) {
    throw new FcError(
      'AccessDenied',
      'a signed URL made with temporary credentials needs x-fc-security-token',
    );
  }
  checkServiceScope(key, serviceName);
  const expected = sign(
    key.secret,
    request.method,
    {},
    canonicalResource(safeDecode(path), query, true),
    String(expires),
  );
  if (!signaturesEqual(expected, signature)) {
    throw new FcError(
      'SignatureNotMatch',
      'the signed URL does not match: sign method, path and sorted query with x-fc-expires as the date',
    );
  }
}
