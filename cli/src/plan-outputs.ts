import { basename, extname, join } from 'node:path';
import type { ResultFormat } from '@lumina/shared';
import type { BatchJob } from './run-batch.ts';
import { UsageError } from './usage-error.ts';

/** `<out>/<name>.<format>` for each input; two inputs that would write one output are refused up front. */
export function planOutputs(inputs: readonly string[], outDir: string, format: ResultFormat): BatchJob[] {
  const byOutput = new Map<string, string>();
  return inputs.map((input) => {
    const output = join(outDir, `${basename(input, extname(input))}.${format}`);
    const earlier = byOutput.get(output);
    if (earlier !== undefined) {
      throw new UsageError(`${earlier} and ${input} would both be written to ${output}: process them separately`);
    }
    byOutput.set(output, input);
    return { input, output };
  });
}
