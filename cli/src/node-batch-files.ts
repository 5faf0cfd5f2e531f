import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BatchFiles } from './run-batch.ts';

/**
 * The real file system. A result is written to a hidden temporary file beside it and renamed into place, so an
 * interrupted run never leaves a half-written output that a later run would take as finished.
 */
export const nodeBatchFiles: BatchFiles = {
  read: async (path) => new Uint8Array(await readFile(path)),
  async isDone(path) {
    const info = await stat(path).catch(() => null);
    return info?.isFile() === true && info.size > 0;
  },
  async write(path, bytes) {
    const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  },
};
