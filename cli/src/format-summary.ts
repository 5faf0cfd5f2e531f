import type { BatchReport } from './run-batch.ts';

/** The closing lines on stdout: what happened to the files and what the run cost. */
export function formatSummary(report: BatchReport, balanceLeft: number | null): string {
  const count = (status: string) => report.outcomes.filter((outcome) => outcome.status === status).length;
  const failed = count('failed') + count('not_started');
  const canceled = count('canceled');
  const lines = [
    `Processed ${count('done')}, skipped ${count('skipped')}, failed ${failed}${canceled > 0 ? `, canceled ${canceled}` : ''}.`,
    `Credits spent: ${report.creditsSpent}.`,
    balanceLeft === null ? 'Balance left: unknown (the server did not say).' : `Balance left: ${balanceLeft}.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** 130 after Ctrl-C (as shells report SIGINT), 1 when any file failed or was not tried, else 0. */
export function exitCodeOf(report: BatchReport): number {
  if (report.canceled) return 130;
  return report.outcomes.some((outcome) => outcome.status === 'failed' || outcome.status === 'not_started') ? 1 : 0;
}
