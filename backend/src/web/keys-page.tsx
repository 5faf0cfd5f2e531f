/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type ApiKeyCreated, type ApiKeyView, CreateApiKeyBody, type MeResponse } from '@lumina/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { issueApiKey } from '../services/issue-api-key.ts';
import { listApiKeys } from '../services/list-api-keys.ts';
import { revokeApiKey } from '../services/revoke-api-key.ts';
import { activeTeamOf, canManage, Layout, Notice, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, signedIn, webUserOf } from './web-session.ts';

/** Progressive enhancement: the copy button appears only where a script can use the clipboard. */
export const copyScript = `
for (const button of document.querySelectorAll('[data-copy]')) {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(field.value);
    button.textContent = 'Copied';
  });
}`;

function KeysPage(props: { me: MeResponse; keys: ApiKeyView[] | null; created?: ApiKeyCreated; notice?: string }) {
  const team = activeTeamOf(props.me);
  const live = props.keys?.filter((key) => key.revokedAt === null) ?? [];
  return (
    <Layout title="API keys" me={props.me} path="/keys">
      <h1>API keys</h1>
      {props.notice && <Notice>{props.notice}</Notice>}
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
                <button type="button" data-copy="new-key-secret" hidden>
                  Copy
                </button>
              </div>
              <script dangerouslySetInnerHTML={{ __html: copyScript }} />
            </section>
          )}
          <h2>Create a key</h2>
          <form class="inline" method="post" action="/keys">
            <label>
              Name
              <input name="name" required maxlength={100} placeholder="e.g. CI pipeline" />
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
                      <form class="inline" method="post" action={`/keys/${encodeURIComponent(key.id)}/revoke`}>
                        <button type="submit" class="danger" aria-label={`Revoke ${key.name}`}>
                          Revoke
                        </button>
                      </form>
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

/** `/keys`: the active team's API keys (owners and admins): create (secret shown once), list, revoke. */
export const keysPage = new Hono<AppEnv>()
  .get('/keys', signedIn, async (c) => {
    const user = webUserOf(c);
    const me = await meOf(c);
    const keys = canManage(user.role)
      ? (await listApiKeys({ ctx: c.var.ctx, input: { userId: user.userId, teamId: user.teamId } })).apiKeys
      : null;
    const notice = c.req.query('revoked')
      ? 'The key was revoked; requests with it are refused from now on.'
      : undefined;
    return renderPage(c, <KeysPage me={me} keys={keys} notice={notice} />);
  })
  .post('/keys', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    const body = CreateApiKeyBody.parse({ name: form.name });
    const ctx = c.var.ctx;
    const created = await issueApiKey({ ctx, input: { userId: user.userId, teamId: user.teamId, name: body.name } });
    const [me, list] = await Promise.all([
      meOf(c),
      listApiKeys({ ctx, input: { userId: user.userId, teamId: user.teamId } }),
    ]);
    return renderPage(c, <KeysPage me={me} keys={list.apiKeys} created={created} />, 201);
  })
  .post('/keys/:keyId/revoke', signedIn, async (c) => {
    const user = webUserOf(c);
    const input = { userId: user.userId, teamId: user.teamId, apiKeyId: c.req.param('keyId') };
    await revokeApiKey({ ctx: c.var.ctx, input });
    return c.redirect('/keys?revoked=1', 303);
  });
