import { describeFailure } from './describe-failure.ts';
import type { BatchEvent, FileOutcome } from './run-batch.ts';

/** Where progress goes: stderr, so the summary on stdout stays clean for scripts. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressReporter {
  onEvent(event: BatchEvent): void;
  /** Says that Ctrl-C was seen and tasks are being canceled. */
  canceling(): void;
  /** Clears the bar (on a terminal) before the summary is printed. */
  end(): void;
}

const barWidth = 24;

/**
 * On a terminal, one line redrawn in place: a bar with done/failed/skipped counts, failures printed above it.
 * Otherwise (a pipe, a CI log) one plain line per file as it finishes.
 */
export function createProgressReporter(stream: ProgressStream, total: number): ProgressReporter {
  const tty = stream.isTTY === true;
  const counts = { done: 0, failed: 0, skipped: 0, canceled: 0 };
  let inFlight = 0;
  let canceling = false;

  const bar = () => {
    const finished = counts.done + counts.failed + counts.skipped + counts.canceled;
    const filled = total === 0 ? barWidth : Math.round((finished / total) * barWidth);
    const state = canceling ? '  canceling…' : inFlight > 0 ? `  ${inFlight} in flight` : '';
    const line = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${finished}/${total}  done ${counts.done}  failed ${counts.failed}  skipped ${counts.skipped}${state}`;
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns ?? 100) - 1))}`);
  };
  const above = (text: string) => {
    if (tty) stream.write(`\r\x1b[2K${text}\n`);
    else stream.write(`${text}\n`);
  };

  if (tty) bar();
  return {
    onEvent(event) {
      if (event.type === 'submitted') {
        inFlight += 1;
      } else {
        const { outcome } = event;
        if ((outcome.status === 'done' || outcome.status === 'failed') && outcome.taskId) inFlight -= 1;
        if (outcome.status === 'canceled' && outcome.taskId) inFlight -= 1;
        if (outcome.status === 'not_started') counts.failed += 1;
        else counts[outcome.status] += 1;
        const line = lineOf(outcome);
        if (!tty) above(line);
        else if (outcome.status === 'failed' || outcome.status === 'not_started') above(line);
      }
      if (tty) bar();
    },
    canceling() {
      canceling = true;
      if (tty) bar();
      else above('Ctrl-C: canceling the tasks in flight (press it again to quit at once)…');
    },
    end() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}

function lineOf(outcome: FileOutcome): string {
  const { input, output } = outcome.job;
  switch (outcome.status) {
    case 'done':
      return `done      ${input} -> ${output} (${outcome.creditsSpent} credit${outcome.creditsSpent === 1 ? '' : 's'})`;
    case 'skipped':
      return `skipped   ${input}: ${output} already exists (--force redoes it)`;
    case 'failed':
      return `failed    ${input}: ${describeFailure(outcome.failure)}`;
    case 'canceled':
      return `canceled  ${input}`;
    case 'not_started':
      return `not tried ${input}: ${describeFailure(outcome.failure)}`;
  }
}
