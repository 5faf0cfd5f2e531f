import type { Capabilities, Operation, OperationCapability, ParamCapability } from '@lumina/shared';
import { creditsLabel } from './credits-label.ts';

/** The form's state: one value per field key, every field starting at the capability's default. */
export type OptionValues = Readonly<Record<string, string | number | boolean>>;

export interface ChoiceOption {
  readonly value: string;
  readonly label: string;
  /** Said under the control while this option is chosen ("Quickest"). */
  readonly hint?: string;
}

/** One control, in the designer's words; each plugin draws it with its own UI kit. */
export type OptionField =
  | { readonly kind: 'toggle'; readonly key: string; readonly label: string; readonly value: boolean }
  | {
      readonly kind: 'slider';
      readonly key: string;
      readonly label: string;
      readonly value: number;
      readonly min: number;
      readonly max: number;
      readonly unit: 'px';
    }
  | {
      readonly kind: 'choice';
      readonly key: string;
      readonly label: string;
      readonly value: string;
      readonly options: readonly ChoiceOption[];
    }
  /** `value` is `#rrggbb`. */
  | { readonly kind: 'color'; readonly key: string; readonly label: string; readonly value: string }
  | {
      readonly kind: 'text';
      readonly key: string;
      readonly label: string;
      readonly value: string;
      readonly placeholder: string;
      readonly maxLength?: number;
    };

export interface InputSize {
  readonly widthPx: number;
  readonly heightPx: number;
}

export interface FormContext {
  /** The selected layers' pixel sizes, as they will be sent. */
  readonly inputs: readonly InputSize[];
  /** The host's own limit on an inserted image's side (Figma 4096, Express 8192), and its name. */
  readonly host: { readonly name: string; readonly maxImageSidePx: number };
  readonly limits?: Pick<Capabilities['limits'], 'maxOutputPixels' | 'maxOutputSidePx'>;
}

export interface OptionForm {
  readonly operation: Operation;
  readonly title: string;
  readonly fields: readonly OptionField[];
  /** The result's size where it is known before sending: "→ 1800 × 1200 px". */
  readonly outputSize: string | null;
  /** Results over the host's side limit, said before sending: "Over 4096 px: Figma cannot hold it whole." */
  readonly hostLimitWarning: string | null;
  readonly credits: number;
  /** "Remove background · 1 credit", "Upscale 3 layers · 6 credits". */
  readonly actionLabel: string;
  /** Why it cannot be sent as it stands; null when it can. */
  readonly blocker: string | null;
}

export const operationTitles: Record<Operation, string> = {
  'remove-background': 'Remove background',
  upscale: 'Upscale',
  'magic-edit': 'Magic edit',
};

/** Both hosts take PNG, and PNG keeps transparency: the format is fixed, not offered. */
const fixedParams: Readonly<Record<string, string>> = { format: 'png' };

/** Designer words for the values the API names after its engines. */
const choiceWords: Readonly<Record<string, Readonly<Record<string, Omit<ChoiceOption, 'value'>>>>> = {
  channels: { rgba: { label: 'Cut-out' }, alpha: { label: 'Mask only', hint: 'Black and white: white keeps.' } },
  scale: { '2': { label: '2×' }, '4': { label: '4×' } },
  model: {
    slim: { label: 'Fast', hint: 'Quickest; good for most images.' },
    medium: { label: 'Balanced', hint: 'Takes about twice as long; finer detail.' },
    thick: { label: 'Best', hint: 'Slowest; the sharpest result.' },
  },
  size: {
    original: { label: 'Layer size', hint: 'Drops in place at the layer’s own size.' },
    model: { label: 'Model size', hint: 'About one megapixel, as the model makes it.' },
  },
};

const fieldLabels: Readonly<Record<string, string>> = {
  crop: 'Trim to subject',
  crop_margin: 'Margin',
  bg_color: 'Colour',
  channels: 'Output',
  scale: 'Size',
  model: 'Quality',
  prompt: 'What to change',
  size: 'Result size',
};

/** The form's own key for `bg_color`'s transparent-or-colour choice. */
const backgroundKey = 'background';
const defaultBackgroundColor = '#ffffff';

/** Every field at the capability's default: a form nobody touched sends what the API would assume. */
export function initialOptions(capability: OperationCapability): OptionValues {
  const values: Record<string, string | number | boolean> = {};
  for (const param of capability.params) {
    if (param.name in fixedParams) continue;
    if (param.name === 'bg_color') {
      values[backgroundKey] = 'transparent';
      values.bg_color = defaultBackgroundColor;
    } else if (param.type === 'margin') {
      values[param.name] = pixelsOf(param.default);
    } else if (param.type === 'boolean') {
      values[param.name] = param.default === true;
    } else {
      values[param.name] = String(param.default ?? param.values?.[0] ?? '');
    }
  }
  return values;
}

/** The parameters to send for these values, in the API's names. */
export function paramsOf(capability: OperationCapability, values: OptionValues): Record<string, string | boolean> {
  const params: Record<string, string | boolean> = {};
  const initial = initialOptions(capability);
  const readValue = (key: string) => values[key] ?? initial[key];
  for (const param of capability.params) {
    const fixed = fixedParams[param.name];
    if (fixed !== undefined) {
      params[param.name] = fixed;
      continue;
    }
    if (!isShown(param, capability, readValue)) continue;
    // A transparent background is the absence of `bg_color`, not a colour.
    if (param.name === 'bg_color' && readValue(backgroundKey) !== 'colour') continue;
    const value = readValue(param.name);
    if (value === undefined) continue;
    if (param.name === 'bg_color') params.bg_color = String(value).replace(/^#/, '');
    else if (param.type === 'margin') params[param.name] = `${Math.round(Number(value) || 0)}px`;
    else if (param.type === 'boolean') params[param.name] = value === true;
    else params[param.name] = typeof value === 'string' ? value.trim() : String(value);
  }
  return params;
}

/** The controls for these values, with the output size, the host's limit and the price said before sending. */
export function describeOptionForm(
  capability: OperationCapability,
  values: OptionValues,
  context: FormContext,
): OptionForm {
  const initial = initialOptions(capability);
  const readValue = (key: string) => values[key] ?? initial[key];
  const fields = capability.params.flatMap((param) =>
    param.name in fixedParams || !isShown(param, capability, readValue) ? [] : fieldsOf(param, readValue),
  );
  const factor = capability.operation === 'upscale' ? Number(readValue('scale')) || 1 : 1;
  const outputs = context.inputs.map((input) => ({
    widthPx: input.widthPx * factor,
    heightPx: input.heightPx * factor,
  }));
  const largest = outputs.reduce<InputSize | null>(
    (max, size) => (max && max.widthPx * max.heightPx >= size.widthPx * size.heightPx ? max : size),
    null,
  );
  const credits = outputs.reduce((sum, size) => sum + priceOf(capability, size), 0);
  const count = context.inputs.length;
  const what =
    count > 1 ? `${operationTitles[capability.operation]} ${count} layers` : operationTitles[capability.operation];
  return {
    operation: capability.operation,
    title: operationTitles[capability.operation],
    fields,
    outputSize:
      capability.operation === 'upscale' && largest
        ? `→ ${count > 1 ? 'up to ' : ''}${largest.widthPx} × ${largest.heightPx} px`
        : null,
    hostLimitWarning: hostLimitWarningOf(outputs, context.host),
    credits,
    actionLabel: count > 0 ? `${what} · ${creditsLabel(credits)}` : what,
    blocker: blockerOf(capability, readValue, outputs, context),
  };
}

function fieldsOf(
  param: ParamCapability,
  readValue: (key: string) => string | number | boolean | undefined,
): OptionField[] {
  const label = fieldLabels[param.name] ?? param.description;
  const value = readValue(param.name);
  if (param.name === 'bg_color') {
    const background: OptionField = {
      kind: 'choice',
      key: backgroundKey,
      label: 'Background',
      value: String(readValue(backgroundKey)),
      options: [
        { value: 'transparent', label: 'Transparent' },
        { value: 'colour', label: 'Colour' },
      ],
    };
    return readValue(backgroundKey) === 'colour'
      ? [background, { kind: 'color', key: param.name, label, value: String(value) }]
      : [background];
  }
  switch (param.type) {
    case 'boolean':
      return [{ kind: 'toggle', key: param.name, label, value: value === true }];
    case 'margin':
      return [
        {
          kind: 'slider',
          key: param.name,
          label,
          value: Number(value) || 0,
          min: 0,
          max: param.max?.px ?? 100,
          unit: 'px',
        },
      ];
    case 'text':
      return [
        {
          kind: 'text',
          key: param.name,
          label,
          value: String(value ?? ''),
          placeholder: 'e.g. “make it sunset”, “add a cat on the sofa”',
          ...(param.maxLength === undefined ? {} : { maxLength: param.maxLength }),
        },
      ];
    case 'color':
      return [{ kind: 'color', key: param.name, label, value: String(value) }];
    case 'enum':
      return [
        {
          kind: 'choice',
          key: param.name,
          label,
          value: String(value),
          options: (param.values ?? []).map((option) => ({
            value: option,
            ...(choiceWords[param.name]?.[option] ?? { label: option }),
          })),
        },
      ];
  }
}

/** Dependent controls show only where they do something: the margin with trimming, a colour with a cut-out. */
function isShown(
  param: ParamCapability,
  capability: OperationCapability,
  readValue: (key: string) => string | number | boolean | undefined,
): boolean {
  const has = (name: string) => capability.params.some((candidate) => candidate.name === name);
  if (param.name === 'crop_margin' && has('crop')) return readValue('crop') === true;
  if (param.name === 'bg_color' && has('channels') && readValue('channels') === 'alpha') return false;
  return true;
}

/** Why the form cannot be sent as it stands: nothing selected, a required text empty, an output over the API's limits. */
function blockerOf(
  capability: OperationCapability,
  readValue: (key: string) => string | number | boolean | undefined,
  outputs: readonly InputSize[],
  context: FormContext,
): string | null {
  if (context.inputs.length === 0) return 'Select an image layer first.';
  for (const param of capability.params) {
    if (param.required && param.type === 'text' && String(readValue(param.name) ?? '').trim() === '') {
      return 'Say what to change first, e.g. “make it sunset”.';
    }
  }
  const limits = context.limits;
  if (
    limits &&
    outputs.some(
      (size) =>
        Math.max(size.widthPx, size.heightPx) > limits.maxOutputSidePx ||
        size.widthPx * size.heightPx > limits.maxOutputPixels,
    )
  ) {
    return `The result would be over Lumina’s ${limits.maxOutputSidePx} px limit. Pick 2× or a smaller layer.`;
  }
  return null;
}

function hostLimitWarningOf(outputs: readonly InputSize[], host: FormContext['host']): string | null {
  const over = outputs.filter((size) => Math.max(size.widthPx, size.heightPx) > host.maxImageSidePx).length;
  if (over === 0) return null;
  const which = outputs.length > 1 ? `${over} of ${outputs.length} results are` : 'The result is';
  return `${which} over ${host.maxImageSidePx} px on a side, more than ${host.name} holds in one image.`;
}

/** The price of one result: flat, or per started block of output pixels where the capability says so. */
function priceOf(capability: OperationCapability, output: InputSize): number {
  const perPixels = capability.creditsPerOutputPixels;
  if (!perPixels) return capability.credits;
  const blocks = Math.max(1, Math.ceil((output.widthPx * output.heightPx) / perPixels.outputPixels));
  return Math.max(capability.credits, perPixels.credits * blocks);
}

function pixelsOf(margin: ParamCapability['default']): number {
  const match = typeof margin === 'string' ? /^(\d+)/.exec(margin) : null;
  return match?.[1] ? Number(match[1]) : 0;
}
