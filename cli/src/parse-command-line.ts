import { type ParseArgsConfig, parseArgs } from 'node:util';
import { Operation } from '@lumina/shared';
import { z } from 'zod';
import { commandUsage, generalUsage } from './usage.ts';
import { UsageError } from './usage-error.ts';

/** More files in flight than this only queues them on the server while holding their credits. */
export const maxConcurrency = 16;
export const defaultApiUrl = 'http://127.0.0.1:8787';

/** Flags that become one operation parameter each: `--bg-color` is `bg_color`, as the API names it. */
const operationFlags = {
  format: { type: 'string' },
  crop: { type: 'boolean' },
  'crop-margin': { type: 'string' },
  'bg-color': { type: 'string' },
  channels: { type: 'string' },
  scale: { type: 'string' },
  model: { type: 'string' },
  prompt: { type: 'string' },
  size: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const options = {
  out: { type: 'string', short: 'o' },
  'api-url': { type: 'string' },
  'api-key': { type: 'string' },
  concurrency: { type: 'string', short: 'c' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...operationFlags,
} as const satisfies ParseArgsConfig['options'];

/** A run as the command line asks for it; its operation options are checked against the server's capabilities. */
export const RunRequest = z.strictObject({
  operation: Operation,
  inputs: z.array(z.string().min(1)).min(1, 'name at least one image file or folder'),
  outDir: z.string({ error: 'say where results go with --out <dir>' }).min(1, 'say where results go with --out <dir>'),
  apiUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8787' }),
  apiKey: z
    .string({ error: 'no API key: pass --api-key or set LUMINA_API_KEY (keys are made on the dashboard’s Keys page)' })
    .trim()
    .min(1, 'no API key: pass --api-key or set LUMINA_API_KEY'),
  concurrency: z.coerce
    .number({ error: `must be a whole number from 1 to ${maxConcurrency}` })
    .int(`must be a whole number from 1 to ${maxConcurrency}`)
    .min(1, `must be a whole number from 1 to ${maxConcurrency}`)
    .max(maxConcurrency, `must be a whole number from 1 to ${maxConcurrency}`)
    .default(4),
  force: z.boolean(),
  /** By the API's parameter name (`bg_color`), as typed. */
  operationOptions: z.record(z.string(), z.union([z.string(), z.boolean()])),
});
export type RunRequest = z.infer<typeof RunRequest>;

export type CommandLine =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'run'; readonly run: RunRequest };

/** Where each field of `RunRequest` came from on the command line, to name it in a message. */
const flagOf: Record<string, string> = {
  inputs: 'files',
  outDir: '--out',
  apiUrl: '--api-url',
  apiKey: '--api-key',
  concurrency: '--concurrency',
};

/** `lumina <command> <files…> [options]` → what to run, or the help to show. Throws `UsageError`. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(plainParseArgsError(error));
  }
  const { values, positionals } = parsed;
  const [command, ...inputs] = positionals;
  if (command === undefined || command === 'help') return { kind: 'help', text: generalUsage };
  const operation = Operation.safeParse(command);
  if (!operation.success) {
    throw new UsageError(`unknown command "${command}": use remove-background, upscale or magic-edit`);
  }
  if (values.help) return { kind: 'help', text: commandUsage(operation.data) };

  const operationOptions: Record<string, string | boolean> = {};
  for (const flag of Object.keys(operationFlags) as Array<keyof typeof operationFlags>) {
    const value = values[flag];
    if (value !== undefined) operationOptions[flag.replaceAll('-', '_')] = value;
  }
  const request = RunRequest.safeParse({
    operation: operation.data,
    inputs,
    outDir: values.out,
    apiUrl: values['api-url'] ?? (env.LUMINA_API_URL || defaultApiUrl),
    apiKey: values['api-key'] ?? env.LUMINA_API_KEY,
    concurrency: values.concurrency,
    force: values.force ?? false,
    operationOptions,
  });
  if (!request.success) {
    const issue = request.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const message = issue?.message ?? 'invalid command line';
    throw new UsageError(field === 'apiKey' || field === 'outDir' ? message : `${flagOf[field] ?? field}: ${message}`);
  }
  return { kind: 'run', run: { ...request.data, apiUrl: request.data.apiUrl.replace(/\/+$/, '') } };
}

/** `parseArgs` explains itself for programmers (`ERR_PARSE_ARGS_UNKNOWN_OPTION …`); this keeps the useful part. */
function plainParseArgsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  return message.split('\n')[0] ?? message;
}
