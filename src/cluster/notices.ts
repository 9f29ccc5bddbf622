import type { CustomDomain, Trigger } from '../model/index.js';
import type { ClusterNode } from './node.js';

/** The control layer's change hooks (src/control/context.ts), as this node reacts to its own changes. */
export interface ChangeHooks {
  onFunctionChanged(serviceName: string, functionName: string, versionId?: string, revision?: string): void;
  onTriggerChanged(trigger: Trigger, deleted?: boolean): void;
  onCustomDomainChanged(domain: CustomDomain, deleted?: boolean): void;
  onProvisionChanged(): void;
}

/** The same hooks, which also tell the other nodes (after this node has applied the change itself). */
export function withClusterNotices(cluster: ClusterNode | undefined, hooks: ChangeHooks): ChangeHooks {
  if (!cluster) return hooks;
  return {
    onFunctionChanged: (serviceName, functionName, versionId, revision) => {
      hooks.onFunctionChanged(serviceName, functionName, versionId, revision);
      cluster.publish({ kind: 'function', serviceName, functionName, versionId, revision });
    },
    onTriggerChanged: (trigger, deleted) => {
      hooks.onTriggerChanged(trigger, deleted);
      const { serviceName, functionName, triggerName } = trigger;
      cluster.publish({ kind: 'trigger', serviceName, functionName, triggerName, deleted: deleted === true });
    },
    onCustomDomainChanged: (domain, deleted) => {
      hooks.onCustomDomainChanged(domain, deleted);
      cluster.publish({ kind: 'customDomain', domainName: domain.domainName, deleted: deleted === true });
    },
    onProvisionChanged: () => {
      hooks.onProvisionChanged();
      cluster.publish({ kind: 'provision' });
    },
  };
}
