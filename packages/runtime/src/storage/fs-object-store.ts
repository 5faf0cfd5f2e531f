import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ObjectStore } from './object-store.ts';

/** Temporary files live inside the store so `rename` stays on one filesystem and is atomic. */
const tmpDirName = '.tmp';
/** Content types live in a parallel tree so object files stay plain bytes that can be streamed as they are. */
const contentTypeDirName = '.content-types';
const defaultContentType = 'application/octet-stream';

/**
 * Objects are people's images: readable by the service's user and its group (a backup job, a worker under
 * another user in the same group), never by everyone else on the machine, whatever the umask.
 */
const objectFileMode = 0o640;
const folderMode = 0o750;

const keyPattern = /^[A-Za-z0-9._/-]+$/;

/**
 * Keys become paths, so anything that could escape the folder or hit the store's own hidden folders is
 * refused: every segment must be non-empty and must not start with a dot (which also rules out `..`).
 */
const assertValidKey = (key: string): void => {
  const segments = key.split('/');
  if (!keyPattern.test(key) || segments.some((segment) => segment === '' || segment.startsWith('.'))) {
    throw new Error(`Invalid object key ${JSON.stringify(key)}: use [A-Za-z0-9._-] segments separated by '/'`);
  }
};

const assertValidPrefix = (prefix: string): void => {
  if (prefix === '') return;
  const segments = prefix.split('/');
  // A prefix may end with '/', so only its inner segments must be non-empty.
  const inner = prefix.endsWith('/') ? segments.slice(0, -1) : segments;
  if (!keyPattern.test(prefix) || inner.some((segment) => segment === '' || segment.startsWith('.'))) {
    throw new Error(`Invalid object key prefix ${JSON.stringify(prefix)}`);
  }
};

const isErrno = (error: unknown, code: string): boolean =>
  error instanceof Error && 'code' in error && error.code === code;

/** A key that names a folder (a prefix of other keys) is not an object, as in S3. */
const isNoObject = (error: unknown): boolean =>
  isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR') || isErrno(error, 'EISDIR') || isErrno(error, 'ERR_FS_EISDIR');

const readIfExists = async (path: string): Promise<Buffer | null> => {
  try {
    return await readFile(path);
  } catch (error) {
    if (isNoObject(error)) return null;
    throw error;
  }
};

const removeIfExists = async (path: string): Promise<void> => {
  try {
    await rm(path, { force: true });
  } catch (error) {
    if (!isNoObject(error)) throw error;
  }
};

/** Every file under `dir` as a '/'-separated key starting with `relative`; a missing folder has no files. */
const walk = async (dir: string, relative: string): Promise<string[]> => {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return [];
    throw error;
  }
  const nested = await Promise.all(
    entries.map(async (entry) => {
      if (entry.name.startsWith('.')) return [];
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) return walk(join(dir, entry.name), childRelative);
      return entry.isFile() ? [childRelative] : [];
    }),
  );
  return nested.flat();
};

/**
 * Objects as files under `dir` (the embedded default). Writes go to a temporary file and are renamed into
 * place, so a reader sees the old object or the new one, never half of one. Unlike S3, a key cannot be both
 * an object and a folder (`a` and `a/b`); Lumina's keys never nest like that.
 */
export const createFsObjectStore = (dir: string): ObjectStore => {
  const tmpDir = join(dir, tmpDirName);
  const objectPath = (key: string): string => join(dir, ...key.split('/'));
  const contentTypePath = (key: string): string => join(dir, contentTypeDirName, ...key.split('/'));

  const writeAtomically = async (path: string, data: Uint8Array | string): Promise<void> => {
    await mkdir(tmpDir, { recursive: true, mode: folderMode });
    const tmpPath = join(tmpDir, randomUUID());
    try {
      // `mode` only applies when the file is created (and the umask may only take bits away).
      await writeFile(tmpPath, data, { mode: objectFileMode, flag: 'wx' });
      await mkdir(dirname(path), { recursive: true, mode: folderMode });
      await rename(tmpPath, path);
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
  };

  return {
    kind: 'fs',

    async put(key, body, contentType) {
      assertValidKey(key);
      // The content type goes first: a reader that sees the new bytes then also sees their type.
      await writeAtomically(contentTypePath(key), contentType);
      await writeAtomically(objectPath(key), body);
    },

    async get(key) {
      assertValidKey(key);
      const body = await readIfExists(objectPath(key));
      if (body === null) return null;
      const contentType = await readIfExists(contentTypePath(key));
      return {
        body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
        contentType: contentType === null ? defaultContentType : contentType.toString('utf8'),
      };
    },

    async delete(key) {
      assertValidKey(key);
      await removeIfExists(objectPath(key));
      await removeIfExists(contentTypePath(key));
    },

    async list(prefix) {
      assertValidPrefix(prefix);
      // Walk only the deepest folder the prefix names, then filter by the partial last segment.
      const slash = prefix.lastIndexOf('/');
      const folder = slash < 0 ? '' : prefix.slice(0, slash);
      const start = folder === '' ? dir : join(dir, ...folder.split('/'));
      const keys = await walk(start, folder);
      return keys.filter((key) => key.startsWith(prefix)).sort();
    },

    async check() {
      await mkdir(tmpDir, { recursive: true, mode: folderMode });
      const probe = join(tmpDir, `check-${randomUUID()}`);
      await writeFile(probe, 'ok');
      await rm(probe, { force: true });
    },
  };
};
