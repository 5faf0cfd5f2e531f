import type { ErrorCode } from '../errors.ts';

/**
 * Codes the client adds for what never reached an answer: the network failed (offline, DNS, CORS), the caller
 * aborted, or the server answered something that is not this API's contract.
 */
export type ClientErrorCode = 'network_error' | 'aborted' | 'invalid_response';

/** Every failure of a client call: switch on `code` (stable), show `message` (for people). */
export class LuminaApiError extends Error {
  override readonly name = 'LuminaApiError';
  readonly code: ErrorCode | ClientErrorCode;
  /** The HTTP status, or 0 where no answer came. */
  readonly status: number;
  readonly requestId: string | null;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds the server asked to wait before retrying (`Retry-After`), where it said so. */
  readonly retryAfterSeconds: number | null;

  constructor(
    code: ErrorCode | ClientErrorCode,
    message: string,
    extra: {
      status?: number;
      requestId?: string | null;
      details?: Record<string, unknown>;
      retryAfterSeconds?: number | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.status = extra.status ?? 0;
    this.requestId = extra.requestId ?? null;
    this.details = extra.details;
    this.retryAfterSeconds = extra.retryAfterSeconds ?? null;
  }
}

export const isLuminaApiError = (error: unknown): error is LuminaApiError => error instanceof LuminaApiError;
