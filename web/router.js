import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/services/s/functions/f/logs`): the server serves one page at `/`, and a reload or a shared
 * link lands on the same view.
 */
export function parseRoute(hash) {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => safeDecode(p));
  if (parts[0] !== 'services' || parts.length < 2) return { page: 'services' };
  const service = parts[1];
  if (parts[2] !== 'functions' || parts.length < 4) return { page: 'service', service };
  const fn = parts[3];
  const tab = ['logs', 'instances', 'metrics'].includes(parts[4]) ? parts[4] : 'overview';
  return { page: 'function', service, fn, tab };
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const e = encodeURIComponent;
export const links = {
  services: () => '#/',
  service: (s) => `#/services/${e(s)}`,
  fn: (s, f, tab) => `#/services/${e(s)}/functions/${e(f)}${tab && tab !== 'overview' ? `/${tab}` : ''}`,
};

function safeDecode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
