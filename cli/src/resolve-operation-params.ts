import { type Capabilities, type Operation, OperationRequest, type ResultFormat } from '@lumina/shared';
import { UsageError } from './usage-error.ts';

export interface ResolvedParams {
  /** Sent as form fields, as typed: the server parses them with the same shared schema. */
  readonly params: Readonly<Record<string, string | boolean>>;
  readonly format: ResultFormat;
}

const flagOf = (param: string) => `--${param.replaceAll('_', '-')}`;

/**
 * Checks the command's options against what this server says it accepts (`GET /api/v1/capabilities`: which
 * parameters the operation has, their values, what is required), then against the shared schema the server
 * parses with, so a mistake is refused once, before any file is uploaded or any credit held.
 */
export function resolveOperationParams(
  operation: Operation,
  options: Readonly<Record<string, string | boolean>>,
  capabilities: Capabilities,
): ResolvedParams {
  const capability = capabilities.operations.find((entry) => entry.operation === operation);
  if (!capability) throw new UsageError(`this server does not offer ${operation}`);
  if (!capability.available) {
    throw new UsageError(
      `${operation} is not available on this server${capability.reason ? `: ${capability.reason}` : ''}`,
    );
  }
  for (const [name, value] of Object.entries(options)) {
    const param = capability.params.find((entry) => entry.name === name);
    if (!param) throw new UsageError(`${flagOf(name)} does not apply to ${operation}`);
    if (param.type === 'boolean' && typeof value !== 'boolean') throw new UsageError(`${flagOf(name)} takes no value`);
  }
  for (const param of capability.params) {
    if (param.required && options[param.name] === undefined) {
      throw new UsageError(`${operation} needs ${flagOf(param.name)}: ${param.description}`);
    }
  }
  const enumValues = (name: unknown) =>
    capability.params.find((entry) => entry.name === name && entry.type === 'enum')?.values;
  const parsed = OperationRequest.safeParse({ operation, params: options });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path[1];
    if (typeof name !== 'string') throw new UsageError(issue?.message ?? 'invalid options');
    const values = enumValues(name);
    throw new UsageError(
      values
        ? `${flagOf(name)} must be one of ${values.join(', ')} (not "${String(options[name])}")`
        : `${flagOf(name)} ${issue?.message ?? 'is not valid'}`,
    );
  }
  // The schema knows every value the code can do; the capabilities say what this server offers.
  for (const [name, value] of Object.entries(parsed.data.params)) {
    const values = options[name] === undefined ? undefined : enumValues(name);
    if (values && !values.includes(String(value))) {
      throw new UsageError(`${flagOf(name)} must be one of ${values.join(', ')} on this server`);
    }
  }
  return { params: options, format: parsed.data.params.format };
}
