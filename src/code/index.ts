export { collectUnusedCode } from './collect.js';
export { crc64Ecma } from './crc64.js';
export { CodeDownloads, DOWNLOAD_TTL_SECONDS, type DownloadGrant } from './download.js';
export { LayerMerges } from './layers.js';
export { type CodeLimits, DEFAULT_CODE_LIMITS } from './limits.js';
export { zipDirectory } from './pack.js';
export { CodeStore, decodeZipFile, type StoredCode } from './store.js';
export { extractZip, inspectZip, type ZipEntryInfo, type ZipEntryKind, type ZipInspection } from './zip.js';
