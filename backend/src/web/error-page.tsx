/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { MeResponse } from '@lumina/shared';
import type { ApiError } from '../errors.ts';
import { Layout } from './layout.tsx';

const titles: Partial<Record<ApiError['code'], string>> = {
  not_found: 'Not found',
  forbidden: 'Not allowed',
  csrf_rejected: 'Request refused',
  invalid_request: 'Check the form',
  rate_limited: 'Too many attempts',
};

/**
 * An error that is no form's fault (a missing page, a refused cross-site post, a fault on our side), as a page
 * with the nav when someone is signed in: the message in words, and the request id for support. The code stays
 * in an attribute, for scripts and tests, not in the text.
 */
export function ErrorPage(props: { error: ApiError; requestId: string; me?: MeResponse | undefined }) {
  const title = titles[props.error.code] ?? 'Something went wrong';
  return (
    <Layout title={title} me={props.me} narrow>
      <h1>{title}</h1>
      <p class="alert" role="alert" data-code={props.error.code}>
        {props.error.message}
      </p>
      <p class="muted">
        If you write to support, mention request <code>{props.requestId}</code>.
      </p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </Layout>
  );
}
