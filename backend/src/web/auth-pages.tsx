/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { SignInBody, SignUpBody } from '@lumina/shared';
import { type Context, Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { ApiError } from '../errors.ts';
import { checkSameOrigin } from '../http/check-same-origin.ts';
import type { AppEnv } from '../http/env.ts';
import { authRateLimit } from '../http/rate-limit.ts';
import { clearSessionCookie, setSessionCookie } from '../http/session-cookie.ts';
import { revokeAllSessions } from '../services/accounts/revoke-all-sessions.ts';
import { revokeSession } from '../services/accounts/revoke-session.ts';
import { signIn } from '../services/accounts/sign-in.ts';
import { signUp } from '../services/accounts/sign-up.ts';
import { ConfirmPage } from './confirm-page.tsx';
import { Alert, Layout } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, safeNext, signedIn, teamCookieName, webUserOf } from './web-session.ts';

const labelOf = (userAgent: string | undefined): string | undefined => userAgent?.slice(0, 200) || undefined;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const googleOn = (c: Context<AppEnv>): boolean => c.var.ctx.config.google !== undefined;

/** `/auth/google`, carrying `next` so the person lands where they were going. */
const googleHref = (next: string): string => `/auth/google${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;

/** Offered only when Google's OAuth client is configured. */
function ContinueWithGoogle(props: { next: string }) {
  return (
    <p>
      <a class="button" href={googleHref(props.next)}>
        Continue with Google
      </a>
    </p>
  );
}

export function SignInPage(props: { next: string; google: boolean; email?: string; error?: string }) {
  return (
    <Layout title="Sign in" narrow>
      <h1>Sign in</h1>
      {props.error && <Alert>{props.error}</Alert>}
      <form class="stack card" method="post" action="/sign-in">
        <input type="hidden" name="next" value={props.next} />
        <label>
          E-mail
          <input type="email" name="email" autocomplete="email" required value={props.email} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
      {props.google && <ContinueWithGoogle next={props.next} />}
      <p>
        New here?{' '}
        <a href={`/sign-up${props.next === '/' ? '' : `?next=${encodeURIComponent(props.next)}`}`}>Create an account</a>
      </p>
    </Layout>
  );
}

function SignUpPage(props: { next: string; google: boolean; email?: string; name?: string; errors?: string[] }) {
  return (
    <Layout title="Create an account" narrow>
      <h1>Create an account</h1>
      {props.errors && props.errors.length > 0 && (
        <div class="alert" role="alert">
          <ul>
            {props.errors.map((error) => (
              <li>{error}</li>
            ))}
          </ul>
        </div>
      )}
      <form class="stack card" method="post" action="/sign-up">
        <input type="hidden" name="next" value={props.next} />
        <label>
          Name
          <input type="text" name="name" autocomplete="name" required maxlength={100} value={props.name} />
        </label>
        <label>
          E-mail
          <input type="email" name="email" autocomplete="email" required value={props.email} />
        </label>
        <label>
          Password <span class="muted">(at least 8 characters)</span>
          <input type="password" name="password" autocomplete="new-password" required minlength={8} />
        </label>
        <button type="submit">Create account</button>
      </form>
      {props.google && <ContinueWithGoogle next={props.next} />}
      <p>
        Have an account?{' '}
        <a href={`/sign-in${props.next === '/' ? '' : `?next=${encodeURIComponent(props.next)}`}`}>Sign in</a>
      </p>
    </Layout>
  );
}

const signUpMessages = {
  name: 'Enter your name, up to 100 characters.',
  email: 'Enter an e-mail address like name@example.com.',
  password: 'Choose a password of 8 to 256 characters.',
};

/**
 * Sign-up, sign-in and sign-out as plain form posts. They use the same use cases, rate limits and CSRF rule as
 * the JSON API; a fresh session starts on the personal team.
 */
export const authPages = new Hono<AppEnv>()
  .get('/sign-in', (c) => renderPage(c, <SignInPage next={safeNext(c.req.query('next'))} google={googleOn(c)} />))
  .post('/sign-in', authRateLimit('sign-in'), async (c) => {
    checkSameOrigin(c, { required: false });
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const body = SignInBody.safeParse({ email: text(form.email), password: text(form.password) });
    try {
      if (!body.success) throw new ApiError('invalid_credentials', 'The e-mail address or the password is wrong.');
      const signedInNow = await signIn({
        ctx: c.var.ctx,
        input: { ...body.data, sessionLabel: labelOf(c.req.header('user-agent')) },
      });
      setSessionCookie(c, signedInNow.session.token, signedInNow.session.expiresAt);
      deleteCookie(c, teamCookieName, { path: '/' });
      return c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'invalid_credentials') throw error;
      return renderPage(
        c,
        <SignInPage next={next} google={googleOn(c)} email={text(form.email)} error={error.message} />,
        401,
      );
    }
  })
  .get('/sign-up', (c) => renderPage(c, <SignUpPage next={safeNext(c.req.query('next'))} google={googleOn(c)} />))
  .post('/sign-up', authRateLimit('sign-up'), async (c) => {
    checkSameOrigin(c, { required: false });
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const again = { next, google: googleOn(c), email: text(form.email), name: text(form.name) };
    const body = SignUpBody.safeParse({ email: again.email, password: text(form.password), name: again.name });
    if (!body.success) {
      // One plain sentence per wrong field, in the form's order; zod's own wording stays out of the page.
      const wrong = new Set(body.error.issues.map((issue) => String(issue.path[0])));
      const errors = (['name', 'email', 'password'] as const)
        .filter((field) => wrong.has(field))
        .map((field) => signUpMessages[field]);
      return renderPage(c, <SignUpPage {...again} errors={errors} />, 400);
    }
    try {
      const created = await signUp({
        ctx: c.var.ctx,
        input: { ...body.data, sessionLabel: labelOf(c.req.header('user-agent')) },
      });
      setSessionCookie(c, created.session.token, created.session.expiresAt);
      deleteCookie(c, teamCookieName, { path: '/' });
      return c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'email_taken') throw error;
      return renderPage(c, <SignUpPage {...again} errors={[error.message]} />, 409);
    }
  })
  .post('/sign-out', signedIn, async (c) => {
    const user = webUserOf(c);
    await revokeSession({ ctx: c.var.ctx, input: { userId: user.userId, sessionId: user.sessionId } });
    clearSessionCookie(c);
    return c.redirect('/sign-in', 303);
  })
  .get('/sign-out-everywhere', signedIn, async (c) =>
    renderPage(
      c,
      <ConfirmPage
        me={await meOf(c)}
        path="/sessions"
        title="Sign out everywhere?"
        action="/sign-out-everywhere"
        confirmLabel="Sign out everywhere"
      >
        <p>
          Every browser you are signed in on, this one included, is signed out, and every connected plugin is
          disconnected. Plugins need a new pairing afterwards.
        </p>
      </ConfirmPage>,
    ),
  )
  .post('/sign-out-everywhere', signedIn, async (c) => {
    const user = webUserOf(c);
    await revokeAllSessions({ ctx: c.var.ctx, input: { userId: user.userId } });
    clearSessionCookie(c);
    return c.redirect('/sign-in', 303);
  });
