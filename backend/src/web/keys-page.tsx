/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { ApiKeyCreated, type ApiKeyView, CreateApiKeyBody, type MeResponse } from '@lumina/shared';
import { type Context, Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { issueApiKey } from '../services/accounts/issue-api-key.ts';
import { listApiKeys } from '../services/accounts/list-api-keys.ts';
import { revokeApiKey } from '../services/accounts/revoke-api-key.ts';
import { ConfirmPage } from './confirm-page.tsx';
import { CopyButton, CopyScript } from './copy-button.tsx';
import { setFlash, takeFlash } from './flash.ts';
import { FormAlert, type FormRefusal, refusalOf, refusedValue, textValues } from './form-refusal.tsx';
import { activeTeamOf, canManage, Layout, Notice, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, signedIn, webUserOf } from './web-session.ts';

/** A first request with a key: remove the background of a local file and wait for the result. */
export const curlExample = (baseUrl: string, secret: string): string =>
  `curl -s ${baseUrl}/api/v1/process -H "Authorization: Bearer ${secret}" -H "Prefer: wait=30" \\\n  -F image=@photo.png -F operation=remove-background`;

const keyNameMessages = { name: 'Give the key a name of 1 to 100 characters, for example “CI pipeline”.' };

function KeysPage(props: {
  me: MeResponse;
  keys: ApiKeyView[] | null;
  baseUrl: string;
  created?: ApiKeyCreated | undefined;
  notice?: string | undefined;
  refusal?: FormRefusal | undefined;
}) {
  const team = activeTeamOf(props.me);
  const live = props.keys?.filter((key) => key.revokedAt === null) ?? [];
  const { refusal } = props;
  return (
    <Layout title="API keys" me={props.me} path="/keys">
      <h1>API keys</h1>
      {props.notice && <Notice>{props.notice}</Notice>}
      <FormAlert refusal={refusal} form="revoke-key" />
      {props.keys === null ? (
        <p>
          API keys for {team.name} are managed by the team’s owners and admins. You are a {team.role}; ask one of them
          for a key.
        </p>
      ) : (
        <>
          {props.created && (
            <section class="card" aria-labelledby="new-key">
              <h2 id="new-key" style="margin-top: 0">
                Your new key “{props.created.name}”
              </h2>
              <p>Copy it now: it is shown only this once, and Lumina keeps only a hash of it.</p>
              <div class="secret">
                <label class="visually-hidden" for="new-key-secret">
                  Secret
                </label>
                <input id="new-key-secret" readonly value={props.created.secret} data-testid="new-key-secret" />
                <CopyButton target="new-key-secret" label="Copy the secret" />
              </div>
              <p>Try it: this removes the background of photo.png in the current folder.</p>
              <div class="snippet">
                <pre id="new-key-curl" data-testid="new-key-curl">
                  {curlExample(props.baseUrl, props.created.secret)}
                </pre>
                <CopyButton target="new-key-curl" label="Copy the curl command" />
              </div>
              <CopyScript />
            </section>
          )}
          <h2>Create a key</h2>
          <FormAlert refusal={refusal} form="create-key" />
          <form class="inline" method="post" action="/keys">
            <label>
              Name
              <input
                name="name"
                required
                maxlength={100}
                placeholder="e.g. CI pipeline"
                value={refusedValue(refusal, 'create-key', 'name')}
                aria-invalid={refusal?.form === 'create-key' ? 'true' : undefined}
              />
            </label>
            <button type="submit">Create key</button>
          </form>
          <h2>Keys of {team.name}</h2>
          {live.length === 0 ? (
            <p>No keys yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {live.map((key) => (
                  <tr>
                    <td>{key.name}</td>
                    <td>
                      <code>{key.prefix}…</code>
                    </td>
                    <td>
                      <Time iso={key.createdAt} />
                    </td>
                    <td>{key.lastUsedAt ? <Time iso={key.lastUsedAt} /> : 'Never'}</td>
                    <td>
                      <a
                        class="button danger"
                        href={`/keys/${encodeURIComponent(key.id)}/revoke`}
                        aria-label={`Revoke ${key.name}`}
                      >
                        Revoke
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Layout>
  );
}

async function keysOf(c: Context<AppEnv>): Promise<ApiKeyView[] | null> {
  const user = webUserOf(c);
  if (!canManage(user.role)) return null;
  return (await listApiKeys({ ctx: c.var.ctx, input: { userId: user.userId, teamId: user.teamId } })).apiKeys;
}

/** The keys page again, with a refused form's message and input. */
async function refused(c: Context<AppEnv>, refusal: FormRefusal) {
  const [me, keys] = await Promise.all([meOf(c), keysOf(c)]);
  const page = <KeysPage me={me} keys={keys} baseUrl={c.var.ctx.config.publicBaseUrl} refusal={refusal} />;
  return renderPage(c, page, refusal.status);
}

/**
 * `/keys`: the active team's API keys (owners and admins): create (the secret shown once, after the redirect,
 * with a ready-to-run curl), list, revoke after a confirmation step.
 */
export const keysPage = new Hono<AppEnv>()
  .get('/keys', signedIn, async (c) => {
    const [me, keys, created] = await Promise.all([meOf(c), keysOf(c), takeFlash(c, '/keys', ApiKeyCreated)]);
    const notice = c.req.query('revoked')
      ? 'The key was revoked; requests with it are refused from now on.'
      : undefined;
    const baseUrl = c.var.ctx.config.publicBaseUrl;
    return renderPage(c, <KeysPage me={me} keys={keys} baseUrl={baseUrl} created={created} notice={notice} />);
  })
  .post('/keys', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    try {
      const body = CreateApiKeyBody.parse({ name: form.name });
      const input = { userId: user.userId, teamId: user.teamId, name: body.name };
      const created = await issueApiKey({ ctx: c.var.ctx, input });
      await setFlash(c, '/keys', created);
      return c.redirect('/keys', 303);
    } catch (error) {
      return refused(c, refusalOf(error, 'create-key', textValues(form), keyNameMessages));
    }
  })
  .get('/keys/:keyId/revoke', signedIn, async (c) => {
    const keys = await keysOf(c);
    const key = keys?.find((k) => k.id === c.req.param('keyId') && k.revokedAt === null);
    if (!key) throw new ApiError('not_found', 'There is no such key in this team, or it was already revoked.');
    return renderPage(
      c,
      <ConfirmPage
        me={await meOf(c)}
        path="/keys"
        title={`Revoke the key “${key.name}”?`}
        action={`/keys/${encodeURIComponent(key.id)}/revoke`}
        confirmLabel="Revoke key"
      >
        <p>
          Requests with <code>{key.prefix}…</code> are refused from the moment you revoke it. This cannot be undone;
          scripts that use it need a new key.
        </p>
      </ConfirmPage>,
    );
  })
  .post('/keys/:keyId/revoke', signedIn, async (c) => {
    const user = webUserOf(c);
    const input = { userId: user.userId, teamId: user.teamId, apiKeyId: c.req.param('keyId') };
    try {
      await revokeApiKey({ ctx: c.var.ctx, input });
    } catch (error) {
      return refused(c, refusalOf(error, 'revoke-key', {}));
    }
    return c.redirect('/keys?revoked=1', 303);
  });
