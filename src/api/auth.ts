import { FcError } from '../model/index.js';
import { canonicalResource, type HeaderBag, parseAuthorization, sign, signaturesEqual } from './signature.js';

export interface AccessKey {
  secret: string;
  /** Epoch ms after which the key is refused (temporary credentials). */
  expiresAt?: number;
  /** Temporary keys must come with their token in `x-fc-security-token`. */
  securityToken?: string;
  /** Temporary keys handed to a function may only touch that function's service. */
  serviceName?: string;
}

/** Access keys the server accepts: the root pair, plus temporary ones handed to instances and calls. */
export class KeyRing {
  readonly #keys = new Map<string, AccessKey>();
  #addsSincePurge = 0;

  add(accessKeyId: string, key: AccessKey): void {
    this.#keys.set(accessKeyId, key);
    if (++this.#addsSincePurge >= 1000) this.#purgeExpired();
  }

  remove(accessKeyId: string): void {
    this.#keys.delete(accessKeyId);
  }

  get(accessKeyId: string, now = Date.now()): AccessKey | undefined {
    const key = this.#keys.get(accessKeyId);
    if (key?.expiresAt !== undefined && key.expiresAt <= now) {
      this.#keys.delete(accessKeyId);
      return undefined;
    }
    return key;
  }

  #purgeExpired(): void {
    this.#addsSincePurge = 0;
    const now = Date.now();
    for (const [id, key] of this.#keys)
      if (key.expiresAt !== undefined && key.expiresAt <= now) this.#keys.delete(id);
  }
}

export interface SignedRequest {
  method: string;
  /** The raw request target, path and query, as received. */
  url: string;
  headers: HeaderBag;
}

/** Verifies `Authorization: FC ak:sig` (FC_API.md §2); throws the FC error the caller should see. */
export function verifyFcSignature(request: SignedRequest, keys: KeyRing): AccessKey {
  const header = request.headers.authorization;
  const auth = parseAuthorization(Array.isArray(header) ? header[0] : header);
  if (!auth) {
    throw new FcError(
      'MissingRequiredHeader',
      "the Authorization header is required: 'FC <accessKeyId>:<signature>'",
    );
  }
  const key = keys.get(auth.accessKeyId);
  if (key === undefined) {
    throw new FcError('InvalidAccessKeyID', `the access key id '${auth.accessKeyId}' does not exist`);
  }
  const { secret } = key;
  const [rawPath = '/', rawQuery] = request.url.split('?', 2);
  const isProxy = rawPath.includes('/proxy/');
  const query = new URLSearchParams(rawQuery ?? '');
  const candidates = new Set([safeDecode(rawPath), rawPath]);
  for (const path of candidates) {
    const expected = sign(secret, request.method, request.headers, canonicalResource(path, query, isProxy));
    if (signaturesEqual(expected, auth.signature)) {
      checkTemporaryKey(key, request, rawPath);
      return key;
    }
  }
  throw new FcError(
    'SignatureNotMatch',
    'the request signature we calculated does not match the signature you provided; check your access key secret and signing method',
  );
}

function checkTemporaryKey(key: AccessKey, request: SignedRequest, path: string): void {
  const token = request.headers['x-fc-security-token'];
  if (key.securityToken !== undefined && token !== key.securityToken) {
    throw new FcError(
      'AccessDenied',
      'temporary credentials need their security token in x-fc-security-token',
    );
  }
  if (key.serviceName !== undefined) {
    const match = /\/services\/([^/.]+)/.exec(safeDecode(path));
    if (match?.[1] !== key.serviceName) {
      throw new FcError(
        'AccessDenied',
        `these temporary credentials only allow access to service '${key.serviceName}'`,
      );
    }
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
