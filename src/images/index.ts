export { ImageError, type ImageErrorKind } from './errors.js';
export { type ImageReference, parseImageReference } from './reference.js';
export { parseInsecureRegistries, parseRegistryAuth, registrySettings } from './settings.js';
export type { RegistryCredentials, RegistrySettings } from './skopeo.js';
export {
  type ImageLog,
  type ImageStatus,
  ImageStore,
  type ImageStoreOptions,
  type PreparedImage,
  type ResolvedImage,
} from './store.js';
