import { type InvokeTarget, resolveTarget } from '../../invoke/index.js';
import { type FcVersion, fcVersionOf } from '../../model/fc3.js';
import { FcError, type Service } from '../../model/index.js';
import type { MetaStore } from '../../store/index.js';

/** Where an FC 3.0 function name lives in Kumo's one model (see src/model/fc3.ts). */
export interface Fc3Location {
  serviceName: string;
  functionName: string;
  /** `v3` for a plain name (a service of its own), `v2` for `service$function`. */
  fcVersion: FcVersion;
}

/** `f` → service `f` holding `f` (an FC 3.0 function); `s$f` → FC 2.0's `s/f`. */
export function locateFc3(name: string): Fc3Location {
  const at = name.indexOf('$');
  if (at < 0) return { serviceName: name, functionName: name, fcVersion: 'v3' };
  return { serviceName: name.slice(0, at), functionName: name.slice(at + 1), fcVersion: 'v2' };
}

/** The name FC 3.0 shows a function under. */
export function fc3NameOf(
  service: Pick<Service, 'fcVersion'>,
  serviceName: string,
  functionName: string,
): string {
  return fcVersionOf(service) === 'v3' ? functionName : `${serviceName}$${functionName}`;
}

export const functionNotFound = (name: string) =>
  new FcError('FunctionNotFound', `function '${name}' does not exist`);

/**
 * Resolves an FC 3.0 function name (and qualifier) to what runs. A plain name reaches only a service created
 * through FC 3.0, a `s$f` name only an FC 2.0 service: each function has exactly one FC 3.0 name.
 */
export async function resolveFc3(
  store: MetaStore,
  name: string,
  qualifier?: string,
  random: () => number = Math.random,
): Promise<InvokeTarget> {
  const location = locateFc3(name);
  // A `.` would read as FC 2.0's `service.qualifier`: FC 3.0 names have none.
  if (location.serviceName === '' || location.functionName === '' || name.includes('.')) {
    throw functionNotFound(name);
  }
  let target: InvokeTarget;
  try {
    target = await resolveTarget(
      store,
      {
        serviceRef: location.serviceName,
        functionName: location.functionName,
        qualifier: qualifier || undefined,
      },
      random,
    );
  } catch (error) {
    if (error instanceof FcError && (error.code === 'ServiceNotFound' || error.code === 'FunctionNotFound')) {
      throw functionNotFound(name);
    }
    throw error;
  }
  if (fcVersionOf(target.service) !== location.fcVersion) throw functionNotFound(name);
  return target;
}

/** The service of an FC 3.0 name, checked to exist with the right fcVersion (versions, aliases, configs). */
export async function fc3Service(store: MetaStore, name: string): Promise<Fc3Location> {
  const location = locateFc3(name);
  const service = location.serviceName === '' ? undefined : await store.getService(location.serviceName);
  const fn = service && (await store.getFunction(location.serviceName, location.functionName));
  if (!service || !fn || fcVersionOf(service.value) !== location.fcVersion) throw functionNotFound(name);
  return location;
}
