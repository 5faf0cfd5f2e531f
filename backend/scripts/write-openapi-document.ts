// Writes the API's OpenAPI document, exactly as `/api/v1/openapi.json` serves it, to the file named by the
// first argument, for `redocly lint` (npm test). It generates the document from the routes' declarations only: no database, Redis or network.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openApiDocument } from '../src/http/api.ts';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: write-openapi-document.ts <file.json>\n');
  process.exit(2);
}
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(openApiDocument('https://lumina.example'), null, 2)}\n`);
