import { z } from 'zod';
import { invalidArgument } from './errors.js';
import { NAME_PATTERN } from './limits.js';

/** A function's async invoke config for one qualifier (FC_API.md §4.8). */
export interface AsyncConfig {
  serviceName: string;
  functionName: string;
  qualifier: string;
  maxAsyncEventAgeInSeconds?: number;
  maxAsyncRetryAttempts?: number;
  statefulInvocation: boolean;
  destinationConfig: {
    onSuccess?: { destination: string };
    onFailure?: { destination: string };
  };
  createdTime: string;
  lastModifiedTime: string;
}

/** FC's bounds and defaults for async invocations. */
export const ASYNC_DEFAULTS = {
  /** An event older than this (since it was accepted) is dropped: FC's default, one day. */
  maxEventAgeSeconds: 86_400,
  /** FC accepts 1 to 604800 seconds (a week). */
  maxEventAgeSecondsLimit: 604_800,
  /** Retries after the first attempt: FC allows 0 to 8, default 3. */
  maxRetryAttemptsLimit: 8,
};

const destination = z.object({ destination: z.string().max(1024) });

export const putAsyncConfigBody = z.object({
  maxAsyncEventAgeInSeconds: z
    .number()
    .int('maxAsyncEventAgeInSeconds must be a whole number of seconds')
    .min(1, 'maxAsyncEventAgeInSeconds is at least 1')
    .max(
      ASYNC_DEFAULTS.maxEventAgeSecondsLimit,
      `maxAsyncEventAgeInSeconds is at most ${ASYNC_DEFAULTS.maxEventAgeSecondsLimit}`,
    )
    .optional(),
  maxAsyncRetryAttempts: z
    .number()
    .int('maxAsyncRetryAttempts must be a whole number')
    .min(0, 'maxAsyncRetryAttempts is at least 0')
    .max(
      ASYNC_DEFAULTS.maxRetryAttemptsLimit,
      `maxAsyncRetryAttempts is at most ${ASYNC_DEFAULTS.maxRetryAttemptsLimit}`,
    )
    .optional(),
  statefulInvocation: z.boolean().optional(),
  destinationConfig: z
    .object({ onSuccess: destination.nullish(), onFailure: destination.nullish() })
    .nullish(),
});

/** A function named by an FC destination ARN. */
export interface FunctionDestination {
  serviceName: string;
  qualifier: string;
  functionName: string;
}

const QUALIFIER = /^[A-Za-z0-9_-]{1,128}$/;

/** Products FC can deliver to that a self-hosted server cannot reach. */
const UNREACHABLE: Record<string, string> = {
  mns: 'Simple Message Queue (MNS)',
  mq: 'ApsaraMQ for RocketMQ',
  rocketmq: 'ApsaraMQ for RocketMQ',
  eventbridge: 'EventBridge',
};

/**
 * Parses `acs:fc:{region}:{account}:services/{s}[.{q}]/functions/{f}`, the one destination form Kumo delivers
 * to. The region and account must be this server's; every name must be a plain FC name, so no path tricks
 * (`..`, `/`, escapes) get through. Other products are refused with a clear reason, not accepted and dropped.
 */
export function parseFunctionDestination(
  arn: string,
  home: { region: string; accountId: string },
): FunctionDestination {
  const parts = arn.split(':');
  if (parts.length !== 5 || parts[0] !== 'acs') {
    throw invalidArgument(
      `destination '${arn}' is not an ARN of the form acs:fc:{region}:{account}:services/{service}.{qualifier}/functions/{function}`,
    );
  }
  const [, product = '', region, account, resource = ''] = parts;
  if (product !== 'fc') {
    const name = UNREACHABLE[product] ?? `'${product}'`;
    throw invalidArgument(
      `destination '${arn}': ${name} cannot be reached by this self-hosted server; only Function Compute destinations (acs:fc:…) are delivered`,
    );
  }
  if (region !== home.region || account !== home.accountId) {
    throw invalidArgument(
      `destination '${arn}' must name this server's region '${home.region}' and account '${home.accountId}'`,
    );
  }
  const match = /^services\/([^/.]+)(?:\.([^/]+))?\/functions\/([^/]+)$/.exec(resource);
  const [, serviceName = '', qualifier = 'LATEST', functionName = ''] = match ?? [];
  if (
    !match ||
    !NAME_PATTERN.test(serviceName) ||
    !NAME_PATTERN.test(functionName) ||
    !QUALIFIER.test(qualifier)
  ) {
    throw invalidArgument(
      `destination '${arn}' must name a function as services/{service}[.{qualifier}]/functions/{function}`,
    );
  }
  return { serviceName, qualifier, functionName };
}

/** The ARN FC reports for a function in a destination record. */
export function functionArn(
  home: { region: string; accountId: string },
  fn: { serviceName: string; qualifier: string; functionName: string },
): string {
  return `acs:fc:${home.region}:${home.accountId}:services/${fn.serviceName}.${fn.qualifier}/functions/${fn.functionName}`;
}

/** The API's view: FC names the function and service `function` and `service`. */
export function toAsyncConfigResponse(config: AsyncConfig): Record<string, unknown> {
  const { serviceName, functionName, ...rest } = config;
  return { service: serviceName, function: functionName, ...rest };
}
