import { type ErrorCode, httpStatusOf } from '@lumina/shared';

/**
 * An error the API answers with: a code from the closed list, a message a person can act on, and optional
 * details. Services and validators throw it; the HTTP layer turns it into the one error envelope.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }

  get status(): (typeof httpStatusOf)[ErrorCode] {
    return httpStatusOf[this.code];
  }
}
