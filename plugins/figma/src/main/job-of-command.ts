import type { Job } from '../lib/messages.ts';

/** Where a result layer keeps the job that made it (plugin data: strings only), for its relaunch button. */
export const lastJobKey = 'lumina.job';

/**
 * The job a menu command or quick action asks for; only what the designer typed is set, the UI fills every other
 * option with the capability's default. Null where a parameter is missing or not understood.
 */
export function jobOfCommand(command: string, parameters: Readonly<Record<string, unknown>> | undefined): Job | null {
  switch (command) {
    case 'remove-background':
      return { operation: 'remove-background', values: {} };
    case 'upscale': {
      const scale = String(parameters?.scale ?? '2').replace(/[×x]$/i, '');
      return scale === '2' || scale === '4' ? { operation: 'upscale', values: { scale } } : null;
    }
    case 'magic-edit': {
      const prompt = typeof parameters?.prompt === 'string' ? parameters.prompt.trim() : '';
      return prompt ? { operation: 'magic-edit', values: { prompt } } : null;
    }
    default:
      return null;
  }
}

export const scaleSuggestions = (query: string) =>
  [
    { name: '2× (twice as wide and tall)', data: '2' },
    { name: '4× (four times as wide and tall)', data: '4' },
  ].filter((option) => option.name.startsWith(query.trim()) || query.trim() === '');

const examplePrompts = ['make it sunset', 'add soft studio lighting', 'turn it into a watercolour', 'remove the text'];

/** What the designer typed first (free text is accepted), then examples that match it. */
export const suggestPrompts = (query: string): string[] => {
  const typed = query.trim();
  const examples = examplePrompts.filter((example) => example.includes(typed.toLowerCase()) && example !== typed);
  return typed ? [typed, ...examples] : examples;
};
