import type { Logger } from 'pino';
import { poolKeyOf } from '../invoke/index.js';
import type { CustomDomain, Trigger } from '../model/index.js';
import type { MetaStore } from '../store/index.js';
import type { BusHandlers, ClusterChange } from './bus.js';

/** What a node holds in memory from the store (the parts server.ts built), by what each offers to refresh it. */
export interface LocalCaches {
  /** Instances of a pool key stop taking new calls (they run the old code). */
  scheduler: { retire(poolKey: string, keep?: string): void };
  timers: { update(trigger: Trigger, deleted: boolean): void; close(): void; start(): Promise<void> };
  domains: {
    update(domain: CustomDomain, deleted: boolean): void;
    load(store: MetaStore, replace: boolean): Promise<void>;
  };
  provisioner: { notify(): void };
}

/**
 * Applies another node's change to this node's memory. A notification names the resource; its current state is
 * read back from the store (the notification never carries state, so a late or reordered one cannot install an
 * old value).
 */
export function applyChanges(store: MetaStore, caches: LocalCaches, logger: Logger): BusHandlers {
  const apply = async (change: ClusterChange): Promise<void> => {
    switch (change.kind) {
      case 'function':
        // Instances this node started with the new revision (before this notice arrived) stay.
        caches.scheduler.retire(
          poolKeyOf(change.serviceName, change.functionName, change.versionId),
          change.revision,
        );
        return;
      case 'trigger': {
        const found = await store.getTrigger(change.serviceName, change.functionName, change.triggerName);
        if (found) caches.timers.update(found.value, false);
        else
          caches.timers.update(
            {
              serviceName: change.serviceName,
              functionName: change.functionName,
              triggerName: change.triggerName,
              triggerType: 'timer',
            } as Trigger, // only the key and type are read when a trigger is removed
            true,
          );
        return;
      }
      case 'customDomain': {
        const found = await store.getCustomDomain(change.domainName);
        if (found) caches.domains.update(found.value, false);
        else caches.domains.update({ domainName: change.domainName } as CustomDomain, true);
        return;
      }
      case 'provision':
        // The PostgreSQL store keeps capacity configs in memory (read on every call): read them again first.
        if (hasReload(store.capacity)) await store.capacity.reload();
        caches.provisioner.notify();
        return;
    }
  };
  return {
    onChange: (change) =>
      void apply(change).catch((error: unknown) =>
        logger.warn({ err: error, change }, 'could not apply a change made on another node'),
      ),
    onResync: () =>
      void reloadAll(store, caches).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not reload after a lost listener'),
      ),
  };
}

/** Everything reloaded from the store, after notifications may have been missed (the listener reconnected). */
async function reloadAll(store: MetaStore, caches: LocalCaches): Promise<void> {
  caches.timers.close();
  await Promise.all([caches.timers.start(), caches.domains.load(store, true)]);
}

function hasReload(value: object): value is { reload(): Promise<void> } {
  return typeof (value as { reload?: unknown }).reload === 'function';
}
