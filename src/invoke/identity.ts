import type { Instance } from '../scheduler/index.js';
import { type CallContext, staticFcHeaders, type TemporaryCredentials } from './context.js';

/** Mints and revokes the temporary keys Kumo's API accepts (the server's key table). */
export interface CredentialIssuer {
  /** Mints temporary credentials scoped to a service, valid for `ttlMs`. */
  mint(serviceName: string, ttlMs: number): TemporaryCredentials;
  revoke(accessKeyId: string): void;
}

/** A call's credentials stay valid at least this long past its timeout (FC hands out STS tokens with a margin too). */
const CREDENTIAL_MARGIN_MS = 5 * 60_000;
const INSTANCE_CREDENTIAL_TTL_MS = 24 * 3600_000;

interface Identity {
  credentials: TemporaryCredentials;
  expiresAt: number;
  /** Every key id minted for the instance, revoked when it stops. */
  keyIds: string[];
  /** The context the static headers were built from: a changed service or function row builds them again. */
  headersOf?: CallContext;
  staticHeaders?: Record<string, string>;
}

/**
 * Each instance's identity: temporary credentials minted for it before it starts (they are in its environment,
 * like the STS token FC caches per instance), renewed when a call could outlive them, revoked when it stops;
 * and the `X-Fc-*` headers that stay the same on every call to it, built once instead of on each call.
 */
export class InstanceIdentities {
  readonly #byInstance = new Map<string, Identity>();

  readonly #issuer: CredentialIssuer;

  constructor(issuer: CredentialIssuer) {
    this.#issuer = issuer;
  }

  /** Credentials for an instance about to start. Revoke them if the start fails, else `watch` the instance. */
  mintForStart(instanceId: string, serviceName: string): TemporaryCredentials {
    return this.#mint(instanceId, serviceName, undefined).credentials;
  }

  /** Revokes the instance's keys once it has stopped. */
  watch(instance: Instance): void {
    void instance.stopped.then(() => this.revoke(instance.id));
  }

  /** The instance stopped or never started: its keys stop working. */
  revoke(instanceId: string): void {
    for (const id of this.#byInstance.get(instanceId)?.keyIds ?? []) this.#issuer.revoke(id);
    this.#byInstance.delete(instanceId);
  }

  /** The credentials a call on `instance` gets: the instance's, renewed when the call could outlive them. */
  forCall(instance: Instance, serviceName: string, timeoutSeconds: number): TemporaryCredentials {
    const mustLast = Date.now() + timeoutSeconds * 1000 + CREDENTIAL_MARGIN_MS;
    const identity = this.#byInstance.get(instance.id);
    if (identity && identity.expiresAt >= mustLast) return identity.credentials;
    if (!identity) this.watch(instance); // not minted at its start (cannot happen today): still revoke at stop
    return this.#mint(instance.id, serviceName, identity).credentials;
  }

  /** The instance's static `X-Fc-*` headers for a call with `ctx` (built again when the rows or keys changed). */
  staticHeaders(ctx: CallContext, instanceId: string): Record<string, string> {
    const identity = this.#byInstance.get(instanceId);
    const built = identity?.headersOf;
    if (
      identity?.staticHeaders &&
      built?.fn === ctx.fn &&
      built.service === ctx.service &&
      built.qualifier === ctx.qualifier &&
      built.credentials === ctx.credentials
    ) {
      return identity.staticHeaders;
    }
    const headers = staticFcHeaders(ctx, instanceId);
    if (identity) Object.assign(identity, { headersOf: ctx, staticHeaders: headers });
    return headers;
  }

  #mint(instanceId: string, serviceName: string, previous: Identity | undefined): Identity {
    const credentials = this.#issuer.mint(serviceName, INSTANCE_CREDENTIAL_TTL_MS);
    const identity: Identity = {
      credentials,
      expiresAt: Date.now() + INSTANCE_CREDENTIAL_TTL_MS,
      keyIds: [...(previous?.keyIds ?? []), credentials.accessKeyId],
    };
    this.#byInstance.set(instanceId, identity);
    return identity;
  }
}
