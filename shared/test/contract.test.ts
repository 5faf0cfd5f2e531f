import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  formatFailedReason,
  httpStatusOf,
  OperationRequest,
  parseFailedReason,
  parsePreferWait,
  TaskId,
} from '../src/index.ts';

describe('the shared contract', () => {
  it('maps every error code to a 4xx or 5xx status', () => {
    for (const code of ErrorCode.options) expect(httpStatusOf[code]).toBeGreaterThanOrEqual(400);
  });

  it('fills in remove-background defaults and refuses unknown parameters', () => {
    expect(OperationRequest.parse({ operation: 'remove-background', params: {} })).toEqual({
      operation: 'remove-background',
      params: { format: 'png' },
    });
    expect(OperationRequest.safeParse({ operation: 'remove-background', params: { colour: 'red' } }).success).toBe(
      false,
    );
    expect(OperationRequest.safeParse({ operation: 'teleport', params: {} }).success).toBe(false);
  });

  it('round-trips a worker failure reason and maps a foreign one to internal_error', () => {
    expect(parseFailedReason(formatFailedReason('input_unreadable', 'not an image: x'))).toEqual({
      code: 'input_unreadable',
      message: 'not an image: x',
    });
    expect(parseFailedReason('job stalled more than allowable limit')).toEqual({
      code: 'internal_error',
      message: 'job stalled more than allowable limit',
    });
  });

  it('reads Prefer: wait=N among other preferences', () => {
    expect(parsePreferWait('wait=10')).toBe(10);
    expect(parsePreferWait('respond-async, wait=5')).toBe(5);
    expect(parsePreferWait('return=minimal')).toBeNull();
    expect(parsePreferWait(undefined)).toBeNull();
    expect(parsePreferWait('wait=abc')).toBeNull();
  });

  it('knows a task id when it sees one', () => {
    expect(TaskId.safeParse('task_01m896652aqv4qefzwhtwgdyzz').success).toBe(true);
    expect(TaskId.safeParse('team_01m896652aqv4qefzwhtwgdyzz').success).toBe(false);
  });
});
