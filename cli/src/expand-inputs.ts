import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Extensions taken from a folder; a file named on the command line is sent whatever its name. */
const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.avif', '.heic', '.heif', '.tif', '.tiff', '.gif']);

/**
 * The files to process, in command-line order: a folder gives the images directly inside it (sorted, not
 * recursive), a file gives itself. A path that cannot be read is kept, so it fails on its own with a plain
 * message while the rest of the batch goes on.
 */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true });
      files.push(
        ...entries
          .filter((entry) => entry.isFile() && imageExtensions.has(extname(entry.name).toLowerCase()))
          .map((entry) => join(path, entry.name))
          .sort(),
      );
    } else {
      files.push(path);
    }
  }
  return [...new Set(files)];
}
