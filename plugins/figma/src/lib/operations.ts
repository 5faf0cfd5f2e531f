import type { Operation } from '@lumina/shared';
import type { QuickAction } from './messages.ts';

/** What the user asked for: one operation and the parameters sent with it. */
export interface Job {
  readonly operation: Operation;
  readonly params: Readonly<Record<string, string | boolean>>;
  /** For the row, the layer's name and its relaunch button. */
  readonly label: string;
}

export function jobOfQuickAction(action: QuickAction): Job {
  switch (action) {
    case 'remove-background':
      return { operation: 'remove-background', params: {}, label: 'Remove background' };
    case 'upscale-2':
      return { operation: 'upscale', params: { scale: '2' }, label: 'Upscale 2×' };
    case 'upscale-4':
      return { operation: 'upscale', params: { scale: '4' }, label: 'Upscale 4×' };
  }
}

/** The result's size as far as it can be known before sending (a cropped cut-out can only be smaller). */
export function predictedOutputPx(job: Job, widthPx: number, heightPx: number): { widthPx: number; heightPx: number } {
  const factor = job.operation === 'upscale' ? Number(job.params.scale ?? 1) || 1 : 1;
  return { widthPx: widthPx * factor, heightPx: heightPx * factor };
}
