// Worker threads do not inherit `--import tsx` on Node 20, and vitest's module runner does not reach into
// them either, so this plain-JS entry registers tsx for the thread and then loads the TypeScript thread.
import { tsImport } from 'tsx/esm/api';

await tsImport('./session-thread.ts', import.meta.url);
