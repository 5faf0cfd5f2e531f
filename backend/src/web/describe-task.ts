import {
  MagicEditParams,
  RemoveBackgroundParams,
  type TaskSource,
  type TaskStatus,
  type TaskView,
  UpscaleParams,
} from '@lumina/shared';

/** How long a magic edit's instruction is shown in a list before it is cut (the whole of it is in the title). */
const promptPreviewLength = 60;

/**
 * A task's operation in words, with the settings that tell two tasks apart: "Remove background · cut-out,
 * transparent", "Upscale 4× (slim)", "Magic edit: “make it sunset”". `full` keeps a magic edit's whole prompt.
 */
export function describeOperation(task: Pick<TaskView, 'operation' | 'params' | 'backgroundImage'>, full = false) {
  switch (task.operation) {
    case 'remove-background': {
      const parsed = RemoveBackgroundParams.safeParse(task.params);
      if (!parsed.success) return 'Remove background';
      const p = parsed.data;
      const settings: string[] = [];
      if (p.channels === 'alpha') settings.push('mask only');
      else {
        settings.push('cut-out');
        if (task.backgroundImage) settings.push('on a background image');
        else if (p.bg_color) settings.push(`on #${p.bg_color}`);
        else settings.push('transparent');
      }
      if (p.crop) settings.push(p.crop_margin ? `trimmed to subject + ${p.crop_margin}` : 'trimmed to subject');
      return `Remove background · ${settings.join(', ')}`;
    }
    case 'upscale': {
      const parsed = UpscaleParams.safeParse(task.params);
      return parsed.success ? `Upscale ${parsed.data.scale}× (${parsed.data.model})` : 'Upscale';
    }
    case 'magic-edit': {
      const parsed = MagicEditParams.safeParse(task.params);
      if (!parsed.success) return 'Magic edit';
      const prompt = parsed.data.prompt;
      const chars = Array.from(prompt);
      const shown =
        full || chars.length <= promptPreviewLength
          ? prompt
          : `${chars.slice(0, promptPreviewLength).join('').trimEnd()}…`;
      return `Magic edit: “${shown}”`;
    }
  }
}

/** The operations as the history's filter names them. */
export const operationNames: Record<TaskView['operation'], string> = {
  'remove-background': 'Remove background',
  upscale: 'Upscale',
  'magic-edit': 'Magic edit',
};

/** Where a task came from, in words: "API key “CI”", "CLI (key “laptop”)", "Figma plugin", "Studio". */
export function describeSource(source: TaskSource | null): string {
  if (!source) return 'Unknown';
  const key = source.label ? ` “${source.label}”` : '';
  switch (source.kind) {
    case 'api_key':
      return `API key${key}`;
    case 'cli':
      return source.label ? `CLI (key “${source.label}”)` : 'CLI';
    case 'figma':
      return 'Figma plugin';
    case 'adobe-express':
      return 'Express add-on';
    case 'plugin':
      return source.label ? `Plugin (${source.label})` : 'Plugin';
    case 'studio':
      return 'Studio';
  }
}

/** The history's source filter: every kind a task can be listed under. */
export const sourceNames: Record<TaskSource['kind'], string> = {
  api_key: 'API key',
  cli: 'CLI',
  figma: 'Figma plugin',
  'adobe-express': 'Express add-on',
  plugin: 'Plugin (older pairing)',
  studio: 'Studio',
};

export const statusNames: Record<TaskStatus, string> = {
  QUEUED: 'Queued',
  PROCESSING: 'Processing',
  COMPLETED: 'Done',
  FAILED: 'Failed',
  CANCELED: 'Canceled',
};

/** A credit count with its unit: "1 credit", "56 credits". */
export const credits = (n: number): string => `${n} ${n === 1 ? 'credit' : 'credits'}`;
