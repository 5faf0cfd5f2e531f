#!/usr/bin/env node
// The installed `lumina` command: registers tsx's loader (resolved from here, so it works from any directory)
// and runs the TypeScript entry point as it is, without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
