import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  type Logger,
  loadModelRegistry,
  loadModelSession,
  type ModelSession,
  modelFor,
  silentLogger,
} from '../../src/index.ts';

export const fixturesDir = join(import.meta.dirname, '../../../fixtures/images');
export const modelsDir = join(import.meta.dirname, '../../models');
export const fixture = (name: string): Buffer => readFileSync(join(fixturesDir, name));

/** The real registry's remove-background model on cpu; loaded once per test process. */
export async function loadTestSession(log: Logger = silentLogger): Promise<ModelSession> {
  const registry = await loadModelRegistry(modelsDir);
  return loadModelSession({
    registry,
    model: modelFor(registry, 'remove-background', 'cpu'),
    executionProvider: 'cpu',
    intraOpThreads: availableParallelism(),
    log,
  });
}

/** A logger that keeps its lines, so a test can check what an operator would read. */
export function recordingLogger(): Logger & {
  lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
} {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
}

/** The 8-bit alpha plane of an encoded image. */
export async function alphaOf(bytes: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes).extractChannel(3).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The share of pixels in a rectangle whose alpha passes `test`. */
export function shareOf(
  alpha: { data: Buffer; width: number },
  rect: { left: number; top: number; width: number; height: number },
  test: (value: number) => boolean,
): number {
  let count = 0;
  for (let y = rect.top; y < rect.top + rect.height; y++) {
    for (let x = rect.left; x < rect.left + rect.width; x++) if (test(alpha.data[y * alpha.width + x]!)) count++;
  }
  return count / (rect.width * rect.height);
}

/** Foreground (mask ≥ 0.5) intersection over union of two masks. */
export function maskIoU(a: Float32Array, b: Float32Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const p = (a[i] ?? 0) >= 0.5;
    const q = (b[i] ?? 0) >= 0.5;
    if (p && q) intersection++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : intersection / union;
}
