/**
 * FC 3.0 has no services: Kumo keeps one model for both APIs. An FC 3.0 function `f` is FC 2.0's service `f`
 * holding one function `f`, and that service is marked `fcVersion: 'v3'`; an FC 2.0 function `s/f` shows in
 * FC 3.0 as `s$f` with `fcVersion: 'v2'` (as FC itself shows 2.0 functions in 3.0).
 */
export type FcVersion = 'v2' | 'v3';

/** Which API a service's functions were created through (unmarked services are FC 2.0's). */
export function fcVersionOf(service: { fcVersion?: FcVersion }): FcVersion {
  return service.fcVersion ?? 'v2';
}
