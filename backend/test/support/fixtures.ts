import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's copies of the shared test photos. */
export const fixturesDir = join(import.meta.dirname, '../../../fixtures/images');

/** A real photo from `fixtures/images`. */
export const fixture = (name: string): Buffer => readFileSync(join(fixturesDir, name));
