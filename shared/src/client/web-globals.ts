/**
 * The few Web APIs the client uses, typed structurally: `shared/` compiles without the DOM or Node typings, yet
 * runs in browsers, Figma's UI iframe, Adobe's UI, Node and Workers, where all of these exist as globals.
 */
export interface HeadersLike {
  get(name: string): string | null;
}

export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: HeadersLike;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface RequestInitLike {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignalLike;
}

export type FetchLike = (url: string, init?: RequestInitLike) => Promise<ResponseLike>;

/** A `Blob` (or `File`): the image to send. */
export interface BlobLike {
  readonly size: number;
  readonly type: string;
}

interface FormDataLike {
  append(name: string, value: string | BlobLike, filename?: string): void;
}

interface WebGlobals {
  fetch?: FetchLike;
  FormData?: new () => FormDataLike;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The one place the client reads globals; the cast is what lets `shared/` stay free of DOM and Node types. */
export const webGlobals = (): WebGlobals => globalThis as unknown as WebGlobals;

export function newFormData(): FormDataLike {
  const FormDataCtor = webGlobals().FormData;
  if (!FormDataCtor) throw new Error('FormData is not available in this runtime');
  return new FormDataCtor();
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      webGlobals().clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = webGlobals().setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
