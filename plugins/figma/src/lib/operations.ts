import type { Job } from './messages.ts';

/** What a job did, for the result layer's name, the row and the notification: "Upscale 2×". */
export function jobLabel(job: Job): string {
  switch (job.operation) {
    case 'remove-background':
      return 'Remove background';
    case 'upscale':
      return `Upscale ${String(job.values.scale ?? 2)}×`;
    case 'magic-edit':
      return 'Magic edit';
  }
}

/** The result's size as far as it can be known before sending (a cropped cut-out can only be smaller). */
export function predictedOutputPx(job: Job, widthPx: number, heightPx: number): { widthPx: number; heightPx: number } {
  const factor = job.operation === 'upscale' ? Number(job.values.scale ?? 2) || 1 : 1;
  return { widthPx: widthPx * factor, heightPx: heightPx * factor };
}
