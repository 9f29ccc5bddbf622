import { sep } from 'node:path';
import { watch } from 'chokidar';

/** Folders a save in which never redeploys: Kumo's own output, VCS data and installed dependencies. */
const IGNORED = /(^|[/\\])(\.kumo|\.git|node_modules|__pycache__)([/\\]|$)/;
/** How long the folder must stay quiet before a redeploy: an editor's save is often several writes. */
const DEBOUNCE_MS = 100;

export interface ChangeBatch {
  /** Absolute paths that changed, in the order first seen. */
  paths: string[];
  /** When the first of them changed (ms since the epoch). */
  since: number;
}

/**
 * Watches folders (a project's, and code folders outside it) and calls `onChange` with each debounced batch of changed paths. Batches never
 * overlap: changes made while one is handled form the next batch.
 */
export function watchFolders(
  folders: string[],
  onChange: (batch: ChangeBatch) => Promise<void>,
): { ready: Promise<void>; close: () => Promise<void> } {
  const watcher = watch(folders, { ignored: (path) => IGNORED.test(path), ignoreInitial: true });
  let pending: ChangeBatch | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const flush = () => {
    if (running || !pending) return;
    const batch = pending;
    pending = undefined;
    running = onChange(batch).finally(() => {
      running = undefined;
      if (pending) timer = setTimeout(flush, DEBOUNCE_MS);
    });
  };
  watcher.on('all', (_event, path) => {
    pending ??= { paths: [], since: Date.now() };
    if (!pending.paths.includes(path)) pending.paths.push(path);
    clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}

/** True when `path` is `folder` or inside it. */
export const isInside = (path: string, folder: string): boolean =>
  path === folder || path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
