/** A share of the decoded pixels in flight, held by one job until its result is stored. */
export interface PixelLease {
  release(): void;
}

export interface PixelBudget {
  /**
   * Waits until `pixels` fit beside the jobs already in flight, first come first served; an image larger than the
   * whole budget waits until nothing else is in flight and then runs alone. Aborting `signal` leaves the line.
   */
  acquire(pixels: number, signal?: AbortSignal): Promise<PixelLease>;
  /** Pixels held now. */
  readonly inUse: number;
}

/**
 * Bounds the memory of the jobs one worker has in flight: a decoded RGBA pixel costs ~4 bytes in each of a few
 * buffers (decoded, masked or upscaled, encoded), so many camera-size jobs at once could exhaust memory even when
 * their count is within WORKER_CONCURRENCY.
 */
export function pixelBudget(maxPixels: number): PixelBudget {
  let inUse = 0;
  const waiting: Array<{ pixels: number; grant: () => void }> = [];

  const admit = () => {
    for (let next = waiting[0]; next && (inUse === 0 || inUse + next.pixels <= maxPixels); next = waiting[0]) {
      waiting.shift();
      inUse += next.pixels;
      next.grant();
    }
  };

  return {
    get inUse() {
      return inUse;
    },
    acquire(requested, signal) {
      const pixels = Math.min(Math.max(0, requested), maxPixels);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<PixelLease>((resolve, reject) => {
        let released = false;
        const lease: PixelLease = {
          release() {
            if (released) return;
            released = true;
            inUse -= pixels;
            admit();
          },
        };
        const entry = {
          pixels,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(lease);
          },
        };
        const onAbort = () => {
          const index = waiting.indexOf(entry);
          if (index < 0) return;
          waiting.splice(index, 1);
          reject(signal?.reason);
          // The one in front may have been blocking smaller requests behind it.
          admit();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(entry);
        admit();
      });
    },
  };
}
