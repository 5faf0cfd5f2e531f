/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { ApiError } from '../errors.ts';

/**
 * A form the server refused, shown again on its own page: which form, the reason in plain words and what the
 * person typed, so they fix it instead of starting over.
 */
export interface FormRefusal {
  readonly form: string;
  readonly message: string;
  readonly values: Readonly<Record<string, string>>;
  readonly status: ContentfulStatusCode;
}

/** For each field a form's schema checks, the sentence to show when it is wrong. */
export type FieldMessages = Readonly<Record<string, string>>;

/** Codes that are about the request, not about the form: those still go to the error page. */
const notAboutTheForm = new Set(['internal_error', 'csrf_rejected', 'unauthorized', 'rate_limited']);

/**
 * The refusal for an error thrown while handling a form, or the error itself rethrown when it is not the form's
 * fault. Zod's own wording never reaches the page: a field's message comes from `fields` (its first issue's
 * field), and a use case's `ApiError` already speaks to people. The error code stays out of the text.
 */
export function refusalOf(
  error: unknown,
  form: string,
  values: Record<string, string>,
  fields: FieldMessages = {},
): FormRefusal {
  if (error instanceof z.ZodError) {
    const field = String(error.issues[0]?.path[0] ?? '');
    return { form, values, status: 400, message: fields[field] ?? 'Check the form and try again.' };
  }
  if (error instanceof ApiError && !notAboutTheForm.has(error.code)) {
    return { form, values, status: error.status as ContentfulStatusCode, message: error.message };
  }
  throw error;
}

/** The text fields of a posted form, for showing them again (files and repeated fields are left out). */
export function textValues(form: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(form).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])),
  );
}

/** The refusal's message beside its form, when it is that form's. */
export function FormAlert(props: { refusal: FormRefusal | undefined; form: string }) {
  if (props.refusal?.form !== props.form) return null;
  return (
    <p class="alert" role="alert" id={`${props.form}-error`}>
      {props.refusal.message}
    </p>
  );
}

/** The value to put back in a field of the refused form. */
export const refusedValue = (refusal: FormRefusal | undefined, form: string, field: string): string | undefined =>
  refusal?.form === form ? refusal.values[field] : undefined;
