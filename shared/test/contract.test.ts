import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  formatFailedReason,
  httpStatusOf,
  OperationRequest,
  parseFailedReason,
  parsePreferWait,
  RemoveBackgroundParams,
  readBackgroundColor,
  readCropMargin,
  TaskId,
} from '../src/index.ts';

describe('the shared contract', () => {
  it('maps every error code to a 4xx or 5xx status', () => {
    for (const code of ErrorCode.options) expect(httpStatusOf[code]).toBeGreaterThanOrEqual(400);
  });

  it('fills in remove-background defaults and refuses unknown parameters', () => {
    expect(OperationRequest.parse({ operation: 'remove-background', params: {} })).toEqual({
      operation: 'remove-background',
      params: { format: 'png', crop: false, channels: 'rgba' },
    });
    expect(OperationRequest.safeParse({ operation: 'remove-background', params: { colour: 'red' } }).success).toBe(
      false,
    );
    expect(OperationRequest.safeParse({ operation: 'teleport', params: {} }).success).toBe(false);
  });

  it('reads remove-background options sent as multipart text fields', () => {
    expect(
      RemoveBackgroundParams.parse({
        format: 'webp',
        crop: 'true',
        crop_margin: '30px',
        bg_color: '#FFF',
        channels: 'rgba',
      }),
    ).toEqual({ format: 'webp', crop: true, crop_margin: '30px', bg_color: 'ffffff', channels: 'rgba' });
    expect(RemoveBackgroundParams.parse({ crop: 'FALSE' }).crop).toBe(false);
    expect(RemoveBackgroundParams.parse({ crop: '1' }).crop).toBe(true);
    expect(RemoveBackgroundParams.parse({ crop: true, crop_margin: ' 10% ' }).crop_margin).toBe('10%');
    expect(RemoveBackgroundParams.parse({ crop_margin: '12' }).crop_margin).toBe('12px');
    expect(RemoveBackgroundParams.parse({ crop_margin: 12.4 }).crop_margin).toBe('12px');
    expect(RemoveBackgroundParams.parse({ bg_color: 'White' }).bg_color).toBe('ffffff');
    expect(RemoveBackgroundParams.parse({ bg_color: '81d4fa' }).bg_color).toBe('81d4fa');
    expect(RemoveBackgroundParams.parse({ bg_color: '#ff000080' }).bg_color).toBe('ff000080');
    expect(RemoveBackgroundParams.parse({ bg_color: 'ff0000ff' }).bg_color).toBe('ff0000');
    expect(RemoveBackgroundParams.parse({ channels: 'alpha' }).channels).toBe('alpha');
  });

  it('parses its own output to the same params, so a stored task re-parses in the worker unchanged', () => {
    const once = RemoveBackgroundParams.parse({ crop: 'true', crop_margin: '5%', bg_color: 'fc0', format: 'png' });
    expect(RemoveBackgroundParams.parse(once)).toEqual(once);
  });

  it('reads canonical margins and colours back as numbers', () => {
    expect(readCropMargin('30px')).toEqual({ amount: 30, unit: 'px' });
    expect(readCropMargin('12.5%')).toEqual({ amount: 12.5, unit: '%' });
    expect(readCropMargin(undefined)).toEqual({ amount: 0, unit: 'px' });
    expect(readBackgroundColor('81d4fa')).toEqual([0x81, 0xd4, 0xfa, 255]);
    expect(readBackgroundColor('ff000080')).toEqual([255, 0, 0, 0x80]);
  });

  it('refuses bad remove-background options with a message naming the field', () => {
    const issuesOf = (params: Record<string, unknown>) => {
      const parsed = RemoveBackgroundParams.safeParse(params);
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issuesOf({ crop: 'yes' })).toEqual(['crop: must be true or false']);
    expect(issuesOf({ crop_margin: '30em' })[0]).toMatch(/^crop_margin: must be pixels/);
    expect(issuesOf({ crop_margin: '-5px' })[0]).toMatch(/^crop_margin: must be pixels/);
    expect(issuesOf({ crop_margin: '501px' })).toEqual(['crop_margin: must be at most 500px or 50%']);
    expect(issuesOf({ crop_margin: '51%' })).toEqual(['crop_margin: must be at most 500px or 50%']);
    expect(issuesOf({ bg_color: 'ff00' })[0]).toMatch(/^bg_color: must be a hex colour/);
    expect(issuesOf({ bg_color: 'chartreuse-ish' })[0]).toMatch(/^bg_color: must be a hex colour/);
    expect(issuesOf({ channels: 'rgb' })[0]).toMatch(/^channels:/);
    expect(issuesOf({ channels: 'alpha', bg_color: 'white' })).toEqual([
      'bg_color: cannot be combined with channels=alpha: the mask alone has no background to fill',
    ]);
  });

  it('accepts crop_margin without crop, where it has no effect (as on remove.bg)', () => {
    expect(RemoveBackgroundParams.parse({ crop_margin: '10px' })).toMatchObject({ crop: false, crop_margin: '10px' });
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
