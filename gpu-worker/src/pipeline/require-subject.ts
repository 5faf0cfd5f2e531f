import type { ModelOutput } from '../inference/load-model-session.ts';
import type { ModelOutputSpec } from '../models/registry.ts';
import { inSlices } from './in-slices.ts';
import { PipelineError } from './pipeline-error.ts';

/**
 * The least share of the model's mask that must be foreground (above the middle of its range) for the image
 * to have a subject. ISNet keeps 1% (home.jpg, an indoor scene) to 76% (chelsea.png) of the fixtures' pixels,
 * and none of a flat, gradient or noise image (its maximum there stays under 0.05). A subject pasted at 5% of
 * a 2000×1500 frame's width still covers 0.23–0.28%; at 3% (60 px) it drops to ~0.08% and is refused.
 */
export const minSubjectShare = 0.001;

/** Fails the task, for good, when the mask has (almost) no foreground: there is nothing to cut out. */
export async function requireSubject(mask: ModelOutput, spec: ModelOutputSpec): Promise<void> {
  const [low, high] = spec.range;
  const middle = (low + high) / 2;
  const data = mask.data;
  const needed = Math.ceil(data.length * minSubjectShare);
  let foreground = 0;
  await inSlices(data.length, (start, end) => {
    for (let i = start; i < end && foreground < needed; i++) if ((data[i] ?? low) > middle) foreground++;
  });
  if (foreground >= needed) return;
  throw new PipelineError(
    'no_subject',
    `no foreground subject was found (${((100 * foreground) / data.length).toFixed(3)}% of the mask, at least ${100 * minSubjectShare}% needed)`,
    { retryable: false },
  );
}
