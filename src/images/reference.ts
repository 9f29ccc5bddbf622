import { ImageError } from './errors.js';

/** A parsed image reference `[registry/]repository[:tag][@digest]`, normalised as Docker does. */
export interface ImageReference {
  /** `host[:port]`; `docker.io` when the reference names none. */
  registry: string;
  /** e.g. `test/app`; `library/<name>` for a one-part Docker Hub name. */
  repository: string;
  /** Undefined when only a digest is given. */
  tag: string | undefined;
  digest: string | undefined;
  /** `registry/repository[:tag][@digest]`: the canonical form, used as the cache key of the name. */
  name: string;
}

// The grammar of github.com/distribution/reference (reference.go), written out.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const NAME_MAX = 255;

/** Parses and normalises `ref`; throws an `ImageError` ('invalid') that says what a reference looks like. */
export function parseImageReference(ref: string): ImageReference {
  const fail = (why: string): never => {
    throw new ImageError(
      'invalid',
      `invalid image reference '${ref}': ${why}; expected registry/namespace/repository[:tag|@sha256:digest], ` +
        'e.g. registry.cn-hangzhou.aliyuncs.com/ns/app:v1',
    );
  };
  if (ref.trim() !== ref || ref === '') fail('it is empty or has surrounding spaces');
  const match = REFERENCE.exec(ref);
  if (!match) fail('it does not follow the image reference syntax (lowercase repository, valid tag)');
  const [, domain, path = '', tag, digest] = match ?? [];
  // As Docker: the first part is a registry only when it looks like a host (a dot, a port, or localhost).
  let registry = 'docker.io';
  let repository = path;
  if (domain !== undefined) {
    if (domain.includes('.') || domain.includes(':') || domain === 'localhost' || domain.startsWith('[')) {
      registry = domain;
    } else if (/^[a-z0-9._-]+$/.test(domain)) {
      repository = `${domain}/${path}`;
    } else {
      fail(`'${domain}' is neither a registry host nor a lowercase repository name`);
    }
  }
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (`${registry}/${repository}`.length > NAME_MAX) fail(`the name is longer than ${NAME_MAX} characters`);
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    fail('only sha256 digests (sha256: and 64 lowercase hex digits) are supported');
  }
  const effectiveTag = tag ?? (digest ? undefined : 'latest');
  const name =
    `${registry}/${repository}` +
    (effectiveTag !== undefined ? `:${effectiveTag}` : '') +
    (digest !== undefined ? `@${digest}` : '');
  return { registry, repository, tag: effectiveTag, digest, name };
}

/** `registry/repository@digest`: the reference of one exact manifest. */
export const pinned = (ref: ImageReference, digest: string): string =>
  `${ref.registry}/${ref.repository}@${digest}`;
