import type { Capabilities, Operation } from '@lumina/shared';
import {
  describeOptionForm,
  type FormContext,
  initialOptions,
  type OptionForm,
  type OptionValues,
  paramsOf,
} from './option-form.ts';

/** The steps a finished result can take next without being uploaded again, in the order they are offered. */
export const chainOperations = ['upscale', 'magic-edit'] as const satisfies readonly Operation[];
export type ChainOperation = (typeof chainOperations)[number];

/** A finished result's next step, as its button says it. */
export const chainLabels: Record<ChainOperation, string> = {
  upscale: 'Upscale this',
  'magic-edit': 'Edit again',
};

export interface ChainAction {
  readonly operation: ChainOperation;
  readonly label: string;
}

/** A completed task's result, as the plugin holds it: the task's id and the result's size in pixels. */
export interface FinishedResult {
  readonly taskId: string;
  readonly widthPx: number;
  readonly heightPx: number;
}

export type ChainedStep =
  | {
      readonly kind: 'ready';
      readonly operation: ChainOperation;
      /** Sent instead of an image: the API takes this task's stored result as the input. */
      readonly sourceTaskId: string;
      /** The form's values the step runs with, and the API parameters they make. */
      readonly values: OptionValues;
      readonly params: Record<string, string | boolean>;
      /** The same form the panel would show for the result: its price, output size and host warning. */
      readonly form: OptionForm;
    }
  | {
      readonly kind: 'blocked';
      readonly operation: ChainOperation;
      /** The form's own blocker ("Say what to change first…"). */
      readonly blocker: string;
      /** What to tell the person: the blocker, then which button to press again. */
      readonly advice: string;
    };

const isChainOperation = (operation: Operation): operation is ChainOperation =>
  (chainOperations as readonly Operation[]).includes(operation);

/** Whether a finished result offers `operation` as its next step: a chainable operation the API has now. */
export function canChain(capabilities: Pick<Capabilities, 'operations'> | null, operation: Operation): boolean {
  return (
    isChainOperation(operation) &&
    Boolean(capabilities?.operations.find((candidate) => candidate.operation === operation)?.available)
  );
}

/** The next steps a finished result offers: "Upscale this", and "Edit again" only while magic edit is available. */
export function chainActions(capabilities: Pick<Capabilities, 'operations'> | null): readonly ChainAction[] {
  return chainOperations
    .filter((operation) => canChain(capabilities, operation))
    .map((operation) => ({ operation, label: chainLabels[operation] }));
}

/**
 * Plans working on a finished result again: the operation's form at the values the person last set (every other
 * field at the capability's default), sized for the result, sent by the result's task id. A step the form would
 * refuse (a magic edit with no instruction yet, an upscale past the API's limits) comes back `blocked` with what to
 * do first; null where the operation is not offered at all.
 */
export function planChainedStep(
  capabilities: Capabilities | null,
  result: FinishedResult,
  next: { readonly operation: Operation; readonly values?: OptionValues; readonly host: FormContext['host'] },
): ChainedStep | null {
  const { operation } = next;
  if (!capabilities || !isChainOperation(operation) || !canChain(capabilities, operation)) return null;
  const capability = capabilities.operations.find((candidate) => candidate.operation === operation);
  if (!capability) return null;
  const values: OptionValues = { ...initialOptions(capability), ...next.values };
  const form = describeOptionForm(capability, values, {
    inputs: [{ widthPx: result.widthPx, heightPx: result.heightPx }],
    host: next.host,
    limits: capabilities.limits,
  });
  if (form.blocker) {
    return {
      kind: 'blocked',
      operation,
      blocker: form.blocker,
      advice: `${form.blocker} Then choose ${chainLabels[operation]}.`,
    };
  }
  return { kind: 'ready', operation, sourceTaskId: result.taskId, values, params: paramsOf(capability, values), form };
}
