export { ImageError, type ImageErrorKind } from './errors.js';
export { type ImageReference, parseImageReference } from './reference.js';
export { parseInsecureRegistries, parseRegistryAuth, registrySettings } from './settings.js';
export type { RegistryCredentials, RegistrySettings } from './skopeo.js';
export { ImageStore } from './store.js';
export type { ImageLog, ImageStatus, ImageStoreOptions, PreparedImage, ResolvedImage } from './types.js';
