import { OperationRequest } from '@lumina/shared';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ApiError } from '../src/errors.ts';
import { describeCapabilities } from '../src/services/system/describe-capabilities.ts';
import { priceTask } from '../src/services/tasks/price-task.ts';

const config = loadConfig({});
const upscale = (scale: string, model = 'slim') =>
  OperationRequest.parse({ operation: 'upscale', params: { scale, model } });

describe('priceTask', () => {
  it('charges a flat price for background removal', () => {
    const request = OperationRequest.parse({ operation: 'remove-background', params: {} });
    expect(priceTask(config, request, { width: 4000, height: 3000 })).toEqual({
      credits: 1,
      output: { width: 4000, height: 3000 },
    });
  });

  it('charges an upscale per started 4096² of output', () => {
    expect(priceTask(config, upscale('2'), { width: 1024, height: 1024 }).credits).toBe(2);
    expect(priceTask(config, upscale('4'), { width: 1024, height: 1024 }).credits).toBe(2); // exactly 4096²
    expect(priceTask(config, upscale('4'), { width: 1025, height: 1024 }).credits).toBe(4);
    expect(priceTask(config, upscale('4'), { width: 2048, height: 2048 }).credits).toBe(8);
  });

  it('prices each upscaler by its measured compute: medium 3× and thick 24× slim', () => {
    expect(priceTask(config, upscale('2', 'medium'), { width: 1024, height: 1024 }).credits).toBe(6);
    expect(priceTask(config, upscale('2', 'thick'), { width: 1024, height: 1024 }).credits).toBe(48);
    expect(priceTask(config, upscale('4', 'thick'), { width: 1025, height: 1024 }).credits).toBe(96);
  });

  it('lists every upscaler with its price in the capabilities, as priceTask charges it', () => {
    const upscaleCapability = describeCapabilities(config, []).operations.find((op) => op.operation === 'upscale');
    expect(upscaleCapability?.models).toEqual([
      { model: 'slim', credits: 2, outputPixels: 4096 * 4096, relativeCost: 1 },
      { model: 'medium', credits: 6, outputPixels: 4096 * 4096, relativeCost: 3 },
      { model: 'thick', credits: 48, outputPixels: 4096 * 4096, relativeCost: 24 },
    ]);
    for (const { model, credits } of upscaleCapability?.models ?? []) {
      expect(priceTask(config, upscale('2', model), { width: 2048, height: 2048 }).credits).toBe(credits);
    }
  });

  it('refuses an output over the pixel or side limit with output_too_large', () => {
    expect(() => priceTask(config, upscale('4'), { width: 2049, height: 2048 })).toThrow(ApiError);
    expect(() => priceTask(config, upscale('4'), { width: 4100, height: 10 })).toThrow(/over the limit/);
  });
});
