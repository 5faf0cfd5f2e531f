/**
 * Where inputs and results live. Two implementations: a folder under LUMINA_DATA_DIR (the embedded default)
 * and any S3-compatible service. Keys are plain relative paths such as `inputs/task_…` or `results/task_….png`.
 */
export interface ObjectStore {
  readonly kind: 'fs' | 's3';
  /** Writes the whole object; an existing object under the same key is replaced (retries overwrite). */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The object's bytes and content type, or null when there is no such object. */
  get(key: string): Promise<{ body: Uint8Array; contentType: string } | null>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix` (tests and the retention job use it). */
  list(prefix: string): Promise<string[]>;
  /** Fails when the store cannot be reached (readiness). */
  check(): Promise<void>;
}
