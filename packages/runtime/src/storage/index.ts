import { createFsObjectStore } from './fs-object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { createS3ObjectStore } from './s3-object-store.ts';
import type { StorageConfig } from './storage-config.ts';

export { createFsObjectStore } from './fs-object-store.ts';
export type { ObjectStore } from './object-store.ts';
export { createS3ObjectStore } from './s3-object-store.ts';
export { StorageConfig, storageConfigFromEnv, storageConfigOf, storageEnv } from './storage-config.ts';

/** The one place that picks an implementation, so callers depend only on `ObjectStore`. */
export const createObjectStore = (config: StorageConfig): ObjectStore =>
  config.kind === 'fs' ? createFsObjectStore(config.dir) : createS3ObjectStore(config);
