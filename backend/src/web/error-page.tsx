/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { ApiError } from '../errors.ts';
import { Layout } from './layout.tsx';

const titles: Partial<Record<ApiError['code'], string>> = {
  not_found: 'Not found',
  forbidden: 'Not allowed',
  csrf_rejected: 'Request refused',
  invalid_request: 'Check the form',
  rate_limited: 'Too many attempts',
};

/** Any error on a page, as a page: the message the use case wrote and the request id for support. */
export function ErrorPage(props: { error: ApiError; requestId: string }) {
  const title = titles[props.error.code] ?? 'Something went wrong';
  return (
    <Layout title={title} narrow>
      <h1>{title}</h1>
      <p class="alert" role="alert">
        {props.error.message}
      </p>
      <p class="muted">
        Error <code>{props.error.code}</code>, request <code>{props.requestId}</code>.
      </p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </Layout>
  );
}
