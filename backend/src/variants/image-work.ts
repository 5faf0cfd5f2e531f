import { ApiError } from '../errors.ts';

/**
 * Decoding and encoding images in the API process (variants, thumbnails, watermarked copies), bounded by the
 * pixels in flight: memory grows with the pixels an encoder holds, not with the number of requests, so two
 * 16 MP images may be worked on at once under a 32 MP bound while a 64 MP one runs alone.
 */
export interface ImageWork {
  /**
   * Makes the object stored under `key` with `make`, once per process at a time: a request for a key already
   * being made waits for that result instead of making it again. `pixels` is the share of the bound the work
   * holds (clamped to the bound, so any image can run alone). Work that cannot start within the configured
   * wait is refused with `unavailable` (503) and a `retryAfterSeconds` detail.
   */
  run(key: string, pixels: number, make: () => Promise<Uint8Array>): Promise<Uint8Array>;
}

interface Waiter {
  readonly pixels: number;
  start(): void;
}

export function createImageWork(options: { maxPixels: number; maxWaitMs: number }): ImageWork {
  let pixelsInFlight = 0;
  const waiting: Waiter[] = [];
  const making = new Map<string, Promise<Uint8Array>>();
  const retryAfterSeconds = Math.max(1, Math.ceil(options.maxWaitMs / 1000));
  const busy = () =>
    new ApiError('unavailable', 'The server is busy preparing other images; retry in a moment.', {
      retryAfterSeconds,
    });

  // First come, first served: a large image at the head is not overtaken by smaller ones, or it could starve.
  const startWaiters = () => {
    for (let next = waiting[0]; next && pixelsInFlight + next.pixels <= options.maxPixels; next = waiting[0]) {
      waiting.shift();
      pixelsInFlight += next.pixels;
      next.start();
    }
  };

  const acquire = (pixels: number): Promise<void> => {
    if (waiting.length === 0 && pixelsInFlight + pixels <= options.maxPixels) {
      pixelsInFlight += pixels;
      return Promise.resolve();
    }
    if (options.maxWaitMs === 0) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        pixels,
        start: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(waiter), 1);
        reject(busy());
        // Smaller work queued behind this one may fit now.
        startWaiters();
      }, options.maxWaitMs);
      waiting.push(waiter);
    });
  };

  const release = (pixels: number) => {
    pixelsInFlight -= pixels;
    startWaiters();
  };

  return {
    run(key, pixels, make) {
      const current = making.get(key);
      if (current) return current;
      const share = Math.min(options.maxPixels, Math.max(1, Math.ceil(pixels)));
      const made = acquire(share).then(async () => {
        try {
          return await make();
        } finally {
          release(share);
        }
      });
      making.set(key, made);
      const forget = () => making.delete(key);
      made.then(forget, forget);
      return made;
    },
  };
}
