import { AliasControl } from './aliases.js';
import { AsyncConfigControl } from './async-configs.js';
import { CapacityControl } from './capacity.js';
import type { ControlDeps } from './context.js';
import { CustomDomainControl } from './custom-domains.js';
import { FunctionControl } from './functions.js';
import { LayerControl } from './layers.js';
import { ServiceControl } from './services.js';
import { TagControl } from './tags.js';
import { TriggerControl } from './triggers.js';
import { VersionControl } from './versions.js';

/** Create/update/delete rules for every resource, independent of any API face (FC 2016-08-15 today). */
export interface Control {
  services: ServiceControl;
  functions: FunctionControl;
  triggers: TriggerControl;
  customDomains: CustomDomainControl;
  versions: VersionControl;
  aliases: AliasControl;
  layers: LayerControl;
  asyncConfigs: AsyncConfigControl;
  capacity: CapacityControl;
  tags: TagControl;
}

export function createControl(deps: ControlDeps): Control {
  return {
    services: new ServiceControl(deps),
    functions: new FunctionControl(deps),
    triggers: new TriggerControl(deps),
    customDomains: new CustomDomainControl(deps),
    versions: new VersionControl(deps),
    aliases: new AliasControl(deps),
    layers: new LayerControl(deps),
    asyncConfigs: new AsyncConfigControl(deps),
    capacity: new CapacityControl(deps),
    tags: new TagControl(deps),
  };
}

export type { AliasControl } from './aliases.js';
export type { AsyncConfigControl } from './async-configs.js';
export type { CapacityControl, ProvisionView } from './capacity.js';
export type { ControlDeps, WriteOptions } from './context.js';
export type { CustomDomainControl } from './custom-domains.js';
export type { CodeOptions, FunctionControl, FunctionKey } from './functions.js';
export type { LayerControl } from './layers.js';
export { type LayerHome, layerPackages } from './layers.js';
export { type PageInput, pageQuery } from './list.js';
export type { ServiceControl } from './services.js';
export type { TagControl, TagTarget } from './tags.js';
export type { TriggerControl, TriggerKey } from './triggers.js';
export type { VersionControl, VersionPageInput } from './versions.js';
