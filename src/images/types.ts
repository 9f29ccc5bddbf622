/** The image store's options and answers. */
import type { SandboxImage } from '../sandbox/index.js';
import type { ImageReference } from './reference.js';
import type { RegistrySettings } from './skopeo.js';

export interface ImageStoreOptions {
  /** Where images live: `<dataDir>/images`. */
  dir: string;
  registries: RegistrySettings;
  /** Compressed size (config + layers) over which an image is refused. */
  maxCompressedBytes: number;
  /** Bound of one whole pull (download + unpack). */
  pullTimeoutMs: number;
  /** Bound of one registry question (manifest lookup). */
  resolveTimeoutMs: number;
}

/** An image's state as the API shows it (FC's `customContainerConfig.accelerationInfo.status`). */
export interface ImageStatus {
  status: 'Preparing' | 'Ready' | 'Failed';
  message?: string;
  digest?: string;
}

export interface ResolvedImage {
  reference: ImageReference;
  /** Digest of the platform manifest: the cache key of the unpacked rootfs. */
  digest: string;
  compressedBytes: number;
}

export interface PreparedImage extends SandboxImage {
  /** False when the rootfs was already in the cache. */
  pulled: boolean;
}

/** A line for the function's log (pull progress and failures). */
export type ImageLog = (message: string) => void;
