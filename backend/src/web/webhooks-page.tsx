/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  CreateWebhookBody,
  type MeResponse,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  WebhookEndpointWithSecret,
  webhookEventTypes,
} from '@lumina/shared';
import { type Context, Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { createWebhook } from '../services/webhooks/create-webhook.ts';
import { deleteWebhook } from '../services/webhooks/delete-webhook.ts';
import { listWebhookDeliveries } from '../services/webhooks/list-webhook-deliveries.ts';
import { listWebhooks } from '../services/webhooks/list-webhooks.ts';
import { sendTestWebhook } from '../services/webhooks/send-test-webhook.ts';
import { updateWebhook } from '../services/webhooks/update-webhook.ts';
import { ConfirmPage } from './confirm-page.tsx';
import { CopyButton, CopyScript } from './copy-button.tsx';
import { setFlash, takeFlash } from './flash.ts';
import { FormAlert, type FormRefusal, refusalOf, refusedValue } from './form-refusal.tsx';
import { activeTeamOf, canManage, Layout, Notice, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, signedIn, webUserOf } from './web-session.ts';

const deliveriesShown = 10;

interface EndpointWithLog {
  readonly endpoint: WebhookEndpointView;
  readonly deliveries: WebhookDeliveryView[];
}

function DeliveryLog(props: { deliveries: WebhookDeliveryView[]; label: string }) {
  if (props.deliveries.length === 0) return <p class="muted">No deliveries yet.</p>;
  return (
    <table aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">
            Attempts
          </th>
          <th scope="col" class="num">
            Last code
          </th>
          <th scope="col">Last error</th>
          <th scope="col">Created</th>
          <th scope="col">Next attempt</th>
        </tr>
      </thead>
      <tbody>
        {props.deliveries.map((delivery) => (
          <tr data-delivery={delivery.id}>
            <td>
              <code title={delivery.id}>{delivery.eventType}</code>
            </td>
            <td>{delivery.status}</td>
            <td class="num">{delivery.attempts}</td>
            <td class="num">{delivery.lastHttpStatus ?? '—'}</td>
            <td>{delivery.lastError ?? '—'}</td>
            <td>
              <Time iso={delivery.createdAt} />
            </td>
            <td>
              <Time iso={delivery.nextAttemptAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WebhooksPage(props: {
  me: MeResponse;
  endpoints: EndpointWithLog[] | null;
  created?: WebhookEndpointWithSecret | undefined;
  notice?: string | undefined;
  refusal?: FormRefusal | undefined;
}) {
  const team = activeTeamOf(props.me);
  const { refusal } = props;
  const refusedEvents = refusedValue(refusal, 'add-webhook', 'eventTypes')?.split(',');
  return (
    <Layout title="Webhooks" me={props.me} path="/webhooks">
      <h1>Webhooks</h1>
      {props.notice && <Notice>{props.notice}</Notice>}
      <FormAlert refusal={refusal} form="endpoint" />
      {props.endpoints === null ? (
        <p>
          Webhooks for {team.name} are managed by the team’s owners and admins. You are a {team.role}; ask one of them.
        </p>
      ) : (
        <>
          <p class="muted">
            Lumina POSTs <code>task.completed</code> and <code>task.failed</code> events to your endpoints, signed per
            the Standard Webhooks specification, and retries failed deliveries for about a day.
          </p>
          {props.created && (
            <section class="card" aria-labelledby="new-webhook">
              <h2 id="new-webhook" style="margin-top: 0">
                Signing secret for {props.created.url}
              </h2>
              <p>Copy it now: it is shown only this once. Verify each delivery’s signature with it.</p>
              <div class="secret">
                <label class="visually-hidden" for="new-webhook-secret">
                  Signing secret
                </label>
                <input id="new-webhook-secret" readonly value={props.created.secret} data-testid="new-webhook-secret" />
                <CopyButton target="new-webhook-secret" label="Copy the signing secret" />
              </div>
              <CopyScript />
            </section>
          )}
          <h2>Add an endpoint</h2>
          <form class="stack card" method="post" action="/webhooks">
            <FormAlert refusal={refusal} form="add-webhook" />
            <label>
              URL
              <input
                name="url"
                type="url"
                required
                maxlength={2000}
                placeholder="https://example.com/lumina-hook"
                value={refusedValue(refusal, 'add-webhook', 'url')}
                aria-invalid={refusal?.form === 'add-webhook' ? 'true' : undefined}
              />
            </label>
            <label>
              Description <span class="hint muted">(optional)</span>
              <input name="description" maxlength={200} value={refusedValue(refusal, 'add-webhook', 'description')} />
            </label>
            <fieldset>
              <legend>Events</legend>
              {webhookEventTypes.map((type) => (
                <label style="display: inline-flex; gap: .4rem; margin-right: 1rem; font-weight: 400">
                  <input
                    type="checkbox"
                    name="eventTypes"
                    value={type}
                    checked={refusedEvents ? refusedEvents.includes(type) : true}
                  />
                  <code>{type}</code>
                </label>
              ))}
            </fieldset>
            <div>
              <button type="submit">Add endpoint</button>
            </div>
          </form>
          <h2>Endpoints of {team.name}</h2>
          {props.endpoints.length === 0 ? (
            <p>No endpoints yet.</p>
          ) : (
            props.endpoints.map(({ endpoint, deliveries }) => (
              <section class="card" style="margin-bottom: 1rem" aria-label={`Endpoint ${endpoint.url}`}>
                <h3 style="margin-top: 0; overflow-wrap: anywhere">
                  <code>{endpoint.url}</code>
                </h3>
                <p class="muted">
                  {endpoint.description && <>{endpoint.description} · </>}
                  {endpoint.enabled ? 'Enabled' : 'Disabled'} · events: {endpoint.eventTypes.join(', ')} · added{' '}
                  <Time iso={endpoint.createdAt} />
                </p>
                <div class="actions">
                  <form class="inline" method="post" action={`/webhooks/${encodeURIComponent(endpoint.id)}/test`}>
                    <button type="submit" class="secondary">
                      Send test event
                    </button>
                  </form>
                  <form
                    class="inline"
                    method="post"
                    action={`/webhooks/${encodeURIComponent(endpoint.id)}/${endpoint.enabled ? 'disable' : 'enable'}`}
                  >
                    <button type="submit" class="secondary">
                      {endpoint.enabled ? 'Disable' : 'Enable'}
                    </button>
                  </form>
                  <a
                    class="button danger"
                    href={`/webhooks/${encodeURIComponent(endpoint.id)}/delete`}
                    aria-label={`Delete ${endpoint.url}`}
                  >
                    Delete
                  </a>
                </div>
                <h4>Recent deliveries</h4>
                <DeliveryLog deliveries={deliveries} label={`Deliveries to ${endpoint.url}`} />
              </section>
            ))
          )}
        </>
      )}
    </Layout>
  );
}

/** The team's endpoints, each with its latest deliveries. */
async function endpointsWithLogs(c: Context<AppEnv>): Promise<EndpointWithLog[]> {
  const principal = webUserOf(c);
  const ctx = c.var.ctx;
  const { webhooks } = await listWebhooks({ ctx, input: { principal } });
  return Promise.all(
    webhooks.map(async (endpoint) => {
      const query = { limit: deliveriesShown };
      const log = await listWebhookDeliveries({ ctx, input: { principal, endpointId: endpoint.id, query } });
      return { endpoint, deliveries: log.deliveries };
    }),
  );
}

const notices: Record<string, string> = {
  tested: 'A test event is on its way; refresh to see the delivery.',
  deleted: 'The endpoint and its delivery log were removed.',
  enabled: 'The endpoint receives events again.',
  disabled: 'The endpoint receives no events until it is enabled again.',
};

const webhookMessages = {
  url: 'Enter the endpoint’s full address, starting with https:// (or http://), up to 2000 characters.',
  eventTypes: 'Pick at least one event to send.',
  description: 'Keep the description to 200 characters.',
};

/** The webhooks page again, with a refused form's message and input. */
async function refused(c: Context<AppEnv>, refusal: FormRefusal) {
  const manager = canManage(webUserOf(c).role);
  const [me, endpoints] = await Promise.all([meOf(c), manager ? endpointsWithLogs(c) : null]);
  return renderPage(c, <WebhooksPage me={me} endpoints={endpoints} refusal={refusal} />, refusal.status);
}

/** An endpoint action that refuses on the page rather than on an error page. */
async function onEndpoint(c: Context<AppEnv>, run: () => Promise<unknown>, done: string) {
  try {
    await run();
  } catch (error) {
    return refused(c, refusalOf(error, 'endpoint', {}));
  }
  return c.redirect(`/webhooks?${done}=1`, 303);
}

/**
 * `/webhooks`: the active team's endpoints (owners and admins): add (the signing secret shown once, after the
 * redirect), test, enable or disable, delete after a confirmation step, and the delivery log.
 */
export const webhooksPage = new Hono<AppEnv>()
  .get('/webhooks', signedIn, async (c) => {
    const user = webUserOf(c);
    const [me, created] = await Promise.all([meOf(c), takeFlash(c, '/webhooks', WebhookEndpointWithSecret)]);
    const endpoints = canManage(user.role) ? await endpointsWithLogs(c) : null;
    const done = Object.keys(notices).find((key) => c.req.query(key) !== undefined);
    const notice = done && notices[done];
    return renderPage(c, <WebhooksPage me={me} endpoints={endpoints} created={created} notice={notice} />);
  })
  .post('/webhooks', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody({ all: true });
    const eventTypes = [form.eventTypes ?? []].flat().filter((type) => typeof type === 'string');
    const url = typeof form.url === 'string' ? form.url : '';
    const description = typeof form.description === 'string' ? form.description : '';
    try {
      const body = CreateWebhookBody.parse({
        url,
        eventTypes,
        ...(description.trim() !== '' ? { description } : {}),
      });
      const created = await createWebhook({ ctx: c.var.ctx, input: { principal: user, body } });
      await setFlash(c, '/webhooks', created);
      return c.redirect('/webhooks', 303);
    } catch (error) {
      const values = { url, description, eventTypes: eventTypes.join(',') };
      return refused(c, refusalOf(error, 'add-webhook', values, webhookMessages));
    }
  })
  .post('/webhooks/:id/test', signedIn, (c) =>
    onEndpoint(
      c,
      () => sendTestWebhook({ ctx: c.var.ctx, input: { principal: webUserOf(c), endpointId: c.req.param('id') } }),
      'tested',
    ),
  )
  .post('/webhooks/:id/:toggle{enable|disable}', signedIn, (c) => {
    const enabled = c.req.param('toggle') === 'enable';
    const input = { principal: webUserOf(c), endpointId: c.req.param('id'), body: { enabled } };
    return onEndpoint(c, () => updateWebhook({ ctx: c.var.ctx, input }), enabled ? 'enabled' : 'disabled');
  })
  .get('/webhooks/:id/delete', signedIn, async (c) => {
    const { webhooks } = await listWebhooks({ ctx: c.var.ctx, input: { principal: webUserOf(c) } });
    const endpoint = webhooks.find((e) => e.id === c.req.param('id'));
    if (!endpoint) throw new ApiError('not_found', 'There is no such webhook endpoint in this team.');
    return renderPage(
      c,
      <ConfirmPage
        me={await meOf(c)}
        path="/webhooks"
        title="Delete this endpoint?"
        action={`/webhooks/${encodeURIComponent(endpoint.id)}/delete`}
        confirmLabel="Delete endpoint"
      >
        <p style="overflow-wrap: anywhere">
          <code>{endpoint.url}</code> stops receiving events, and its delivery log is removed. This cannot be undone.
        </p>
      </ConfirmPage>,
    );
  })
  .post('/webhooks/:id/delete', signedIn, (c) =>
    onEndpoint(
      c,
      () => deleteWebhook({ ctx: c.var.ctx, input: { principal: webUserOf(c), endpointId: c.req.param('id') } }),
      'deleted',
    ),
  );
