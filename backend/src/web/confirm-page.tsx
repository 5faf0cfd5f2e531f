/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { MeResponse } from '@lumina/shared';
import type { Child } from 'hono/jsx';
import { Layout } from './layout.tsx';

/**
 * The "are you sure?" step before something that cannot be undone: the Revoke, Remove or Delete link in a list
 * opens this page (a GET that changes nothing), and its button posts the real form. No script needed, and a
 * stray click in a table costs nothing.
 */
export function ConfirmPage(props: {
  me: MeResponse;
  /** The nav item the page belongs to. */
  path: string;
  title: string;
  children?: Child;
  /** Where the button posts. */
  action: string;
  confirmLabel: string;
}) {
  return (
    <Layout title={props.title} me={props.me} path={props.path} narrow>
      <h1>{props.title}</h1>
      <div class="card confirm">
        {props.children}
        <form class="actions" method="post" action={props.action}>
          <button type="submit" class="danger">
            {props.confirmLabel}
          </button>
          <a href={props.path}>Cancel</a>
        </form>
      </div>
    </Layout>
  );
}
