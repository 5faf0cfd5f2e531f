import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.ts';
import { createImageWork } from '../src/variants/index.ts';

/** Work that finishes when the test says so, and records when it started. */
function gate(started: string[], name: string) {
  let finish = () => {};
  const done = new Promise<Uint8Array>((resolve) => {
    finish = () => resolve(new TextEncoder().encode(name));
  });
  return {
    make: () => {
      started.push(name);
      return done;
    },
    finish,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('issue 13 item 1: image work is bounded by the pixels in flight', () => {
  it('runs work side by side while the pixels fit, and the rest in order of arrival as room frees', async () => {
    const work = createImageWork({ maxPixels: 32, maxWaitMs: 60_000 });
    const started: string[] = [];
    const a = gate(started, 'a');
    const b = gate(started, 'b');
    const big = gate(started, 'big');
    const small = gate(started, 'small');
    const runs = [work.run('a', 16, a.make), work.run('b', 16, b.make), work.run('big', 64, big.make)];
    runs.push(work.run('small', 1, small.make));
    await tick();
    expect(started).toEqual(['a', 'b']);
    a.finish();
    await tick();
    // The big one (clamped to the whole bound) waits for b; the small one does not overtake it.
    expect(started).toEqual(['a', 'b']);
    b.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'big']);
    big.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'big', 'small']);
    small.finish();
    expect((await Promise.all(runs)).map((bytes) => new TextDecoder().decode(bytes))).toEqual([
      'a',
      'b',
      'big',
      'small',
    ]);
  });

  it('makes a key once while it is being made: later requests share the first one', async () => {
    const work = createImageWork({ maxPixels: 10, maxWaitMs: 0 });
    const started: string[] = [];
    const first = gate(started, 'first');
    const second = gate(started, 'second');
    const runs = [work.run('same', 10, first.make), work.run('same', 10, second.make)];
    await tick();
    expect(started).toEqual(['first']);
    first.finish();
    expect((await Promise.all(runs)).map((bytes) => new TextDecoder().decode(bytes))).toEqual(['first', 'first']);
  });

  it('refuses work that cannot start within the wait, with unavailable and when to retry', async () => {
    const work = createImageWork({ maxPixels: 10, maxWaitMs: 20 });
    const started: string[] = [];
    const holder = gate(started, 'holder');
    const holding = work.run('holder', 10, holder.make);
    const refused = await work.run('late', 1, gate(started, 'late').make).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'unavailable', details: { retryAfterSeconds: 1 } });
    expect(started).toEqual(['holder']);
    holder.finish();
    await holding;
    // The refusal released nothing it did not hold: the whole bound is free again.
    const after = gate(started, 'after');
    const running = work.run('after', 10, after.make);
    await tick();
    expect(started).toEqual(['holder', 'after']);
    after.finish();
    await running;
  });

  it('frees the pixels of work that failed', async () => {
    const work = createImageWork({ maxPixels: 10, maxWaitMs: 0 });
    await expect(work.run('broken', 10, () => Promise.reject(new Error('corrupt')))).rejects.toThrow('corrupt');
    const bytes = await work.run('next', 10, async () => new Uint8Array([1]));
    expect([...bytes]).toEqual([1]);
  });
});
