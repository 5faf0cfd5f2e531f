import type { ItemFailure } from './messages.ts';

/** Plain words for what Figma itself refused, for `explainError`'s `hostWords`. */
export const figmaErrorWords: Record<ItemFailure, string> = {
  'node-gone': 'The layer was deleted while it was being processed.',
  'no-input': 'This layer has nothing to export.',
  'too-large': 'Figma cannot hold an image over 4096 px on a side.',
  failed: 'Figma could not place the result.',
};
