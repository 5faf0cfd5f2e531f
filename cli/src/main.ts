import { mkdir } from 'node:fs/promises';
import { createLuminaClient, isLuminaApiError, LuminaApiError } from '@lumina/shared';
import { describeFailure } from './describe-failure.ts';
import { expandInputs } from './expand-inputs.ts';
import { exitCodeOf, formatSummary } from './format-summary.ts';
import { nodeBatchFiles } from './node-batch-files.ts';
import { parseCommandLine } from './parse-command-line.ts';
import { planOutputs } from './plan-outputs.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { resolveOperationParams } from './resolve-operation-params.ts';
import { runBatch } from './run-batch.ts';
import { UsageError } from './usage-error.ts';

/** The `lumina` command: the only file that reads argv and the environment, handles signals and exits. */
async function main(): Promise<number> {
  const commandLine = parseCommandLine(process.argv.slice(2), process.env);
  if (commandLine.kind === 'help') {
    process.stdout.write(`${commandLine.text}\n`);
    return 0;
  }
  const { run } = commandLine;
  const client = createLuminaClient({ baseUrl: run.apiUrl, token: run.apiKey, client: 'cli' });
  const capabilities = await client.capabilities().catch((error: unknown) => {
    if (isLuminaApiError(error) && error.code === 'network_error') {
      throw new LuminaApiError(
        'network_error',
        `Could not reach Lumina at ${run.apiUrl}: is it running, is --api-url right?`,
      );
    }
    throw error;
  });
  const { params, format } = resolveOperationParams(run.operation, run.operationOptions, capabilities);
  const inputs = await expandInputs(run.inputs);
  if (inputs.length === 0) throw new UsageError(`no image files in ${run.inputs.join(', ')}`);
  const jobs = planOutputs(inputs, run.outDir, format);
  await mkdir(run.outDir, { recursive: true });

  const reporter = createProgressReporter(process.stderr, jobs.length);
  const controller = new AbortController();
  const onInterrupt = () => {
    // A second Ctrl-C quits at once; tasks not yet canceled then finish (and are charged) on the server.
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    reporter.canceling();
  };
  process.on('SIGINT', onInterrupt);
  const report = await runBatch({
    client,
    files: nodeBatchFiles,
    jobs,
    operation: run.operation,
    params,
    concurrency: run.concurrency,
    force: run.force,
    maxUploadBytes: capabilities.limits.maxUploadBytes,
    signal: controller.signal,
    onEvent: (event) => reporter.onEvent(event),
  });
  process.off('SIGINT', onInterrupt);
  reporter.end();
  const balance = await client.billing().then(
    (billing) => billing.balance,
    () => null,
  );
  process.stdout.write(formatSummary(report, balance));
  return exitCodeOf(report);
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(
      `lumina: ${error.message}\nRun \`lumina --help\` (or \`lumina <command> --help\`) for usage.\n`,
    );
    process.exitCode = 2;
  } else if (isLuminaApiError(error)) {
    process.stderr.write(`lumina: ${describeFailure(error)}\n`);
    process.exitCode = 1;
  } else {
    // Not ours to explain in plain words: the message without the stack, which would only scare.
    process.stderr.write(`lumina: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
