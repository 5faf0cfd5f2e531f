import {
  AcceptInviteBody,
  ApiKeyCreated,
  ApiKeyList,
  ApprovePairingBody,
  BillingOverview,
  Capabilities,
  CheckoutBody,
  CheckoutResponse,
  CreateApiKeyBody,
  CreateInviteBody,
  CreatePairingBody,
  CreateTeamBody,
  CreateWebhookBody,
  type ErrorCode,
  HealthResponse,
  InviteCreated,
  MemberList,
  MemberUpdate,
  MeResponse,
  OperationRequest,
  PairingCreated,
  PairingToken,
  PairingTokenBody,
  PairingView,
  ResultVariantFormat,
  SessionList,
  SignInBody,
  SignUpBody,
  SignUpResponse,
  StripeWebhookAck,
  SubmitTaskResponse,
  TaskList,
  TaskListQuery,
  TaskView,
  TeamView,
  UpdateMemberBody,
  UpdateWebhookBody,
  UserView,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookDeliveryView,
  WebhookEndpointList,
  WebhookEndpointUpdated,
  WebhookEndpointWithSecret,
} from '@lumina/shared';
import { z } from 'zod';
import { RemoveBgFields } from '../compat/removebg-request.ts';
import { jsonSchemaOf } from './json-schema-of.ts';

export interface ApiOperation {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** As Hono writes it: `/api/v1/tasks/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: 'processing' | 'compatibility' | 'accounts' | 'webhooks' | 'plugins' | 'operations';
  /** `api`: API key, plugin token or dashboard session; `browser`: a dashboard session only. */
  readonly auth: 'api' | 'browser' | 'none' | 'removebg';
  readonly pathParams?: readonly string[];
  readonly headers?: readonly Record<string, unknown>[];
  readonly query?: z.ZodObject;
  readonly requestBody?: () => Record<string, unknown>;
  readonly responses: Record<
    string,
    {
      readonly description: string;
      readonly json?: z.ZodType;
      readonly content?: Record<string, unknown>;
      readonly headers?: Record<string, unknown>;
    }
  >;
  /** The error codes this route answers with besides `internal_error`. */
  readonly errors: readonly ErrorCode[];
}

const json = (schema: z.ZodType) => () => ({
  required: true,
  content: { 'application/json': { schema: jsonSchemaOf(schema, 'input') } },
});
const header = (description: string) => ({ description, schema: { type: 'string' } });
const creditHeaders = {
  'X-Credits-Charged': header('Credits reserved by this submit (0 on a replay).'),
  'X-Credits-Remaining': header("The team's balance after this submit."),
};
const ok = { description: 'Done.' };
const noContent = { description: 'Done; no body.' };
const apiErrors: ErrorCode[] = ['unauthorized', 'rate_limited'];
// `rate_limited`: too many failed authentications from the client's network.
const browserErrors: ErrorCode[] = ['unauthorized', 'forbidden', 'csrf_rejected', 'not_found', 'rate_limited'];

const sourceTaskId = {
  type: 'string',
  pattern: '^task_[0-9a-z]{26}$',
  description:
    'Instead of `image`: a completed task of the team whose result is the input (a chained step). Exactly one of `image` and `sourceTaskId`.',
};

/** The multipart form and the JSON body of `POST /api/v1/process`, one alternative per operation. */
function processRequestBody() {
  const options = (jsonSchemaOf(OperationRequest, 'input').oneOf ?? []) as Array<{
    properties: { operation: Record<string, unknown>; params: { properties?: object; required?: string[] } };
  }>;
  const form = options.map((option) => ({
    type: 'object',
    required: ['operation', ...(option.properties.params.required ?? [])],
    properties: {
      image: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The image file.' },
      sourceTaskId,
      bg_image_file: {
        type: 'string',
        contentMediaType: 'application/octet-stream',
        description: 'remove-background: a background image, scaled to cover the result and put behind the subject.',
      },
      operation: option.properties.operation,
      ...option.properties.params.properties,
    },
  }));
  const body = options.map((option) => ({
    type: 'object',
    required: ['operation', 'params'],
    properties: {
      image: { type: 'string', contentEncoding: 'base64', description: 'The image, base64 (a data: URL is accepted).' },
      sourceTaskId,
      bg_image_file: {
        type: 'string',
        contentEncoding: 'base64',
        description:
          'remove-background: a background image, base64, scaled to cover the result and put behind the subject.',
      },
      operation: option.properties.operation,
      params: option.properties.params,
    },
  }));
  return {
    required: true,
    content: { 'multipart/form-data': { schema: { oneOf: form } }, 'application/json': { schema: { oneOf: body } } },
  };
}

const uploadErrors: ErrorCode[] = [
  'invalid_request',
  'invalid_prompt',
  'empty_upload',
  'upload_too_large',
  'unsupported_media_type',
  'image_corrupt',
  'image_too_large',
  'output_too_large',
  'insufficient_credits',
  'idempotency_key_reused',
  'operation_unavailable',
  'unavailable',
];

/** Refusals of a `sourceTaskId`: unknown (or another team's), not completed, or past its retention. */
const sourceErrors: ErrorCode[] = ['not_found', 'source_not_completed', 'result_expired'];

export const apiOperations: readonly ApiOperation[] = [
  {
    method: 'post',
    path: '/api/v1/process',
    operationId: 'process',
    summary: 'Submit an image for processing',
    description:
      'Stores the image, reserves the credits and queues the task. `Idempotency-Key` makes a retry safe; `Prefer: wait=N` (N ≤ 60) answers 200 with the finished task when it completes in time. The same image bytes, operation and parameters as a completed task of the team whose result is still kept (magic edits excepted) answer at once with a new task that is already `COMPLETED`, holds a copy of that result and costs 0 credits (`duplicates` in the capabilities). `sourceTaskId` instead of an image continues from a completed task’s result (upscale a cut-out, edit a take again) without sending it again; each step is charged as usual, and the new task shows its `sourceTaskId`.',
    tag: 'processing',
    auth: 'api',
    headers: [
      { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } },
      { name: 'Prefer', in: 'header', required: false, schema: { type: 'string', examples: ['wait=30'] } },
    ],
    requestBody: processRequestBody,
    responses: {
      '200': { description: 'The task finished within `Prefer: wait`.', json: TaskView, headers: creditHeaders },
      '202': { description: 'Queued.', json: SubmitTaskResponse, headers: creditHeaders },
    },
    errors: [...uploadErrors, ...sourceErrors, ...apiErrors],
  },
  {
    method: 'get',
    path: '/api/v1/tasks',
    operationId: 'listTasks',
    summary: "The team's tasks, newest first",
    tag: 'processing',
    auth: 'api',
    query: TaskListQuery,
    responses: { '200': { description: 'One page.', json: TaskList } },
    errors: ['invalid_request', ...apiErrors],
  },
  {
    method: 'get',
    path: '/api/v1/tasks/:id',
    operationId: 'getTask',
    summary: 'One task, with live progress, queue position and eta',
    tag: 'processing',
    auth: 'api',
    pathParams: ['id'],
    responses: { '200': { description: 'The task.', json: TaskView } },
    errors: ['not_found', ...apiErrors],
  },
  {
    method: 'get',
    path: '/api/v1/tasks/:id/events',
    operationId: 'taskEvents',
    summary: 'Server-sent events: the task (event `task`) on every change, until it ends',
    tag: 'processing',
    auth: 'api',
    pathParams: ['id'],
    responses: {
      '200': {
        description: 'An event stream; each `data` is a task view.',
        // OpenAPI 3.2's `itemSchema` describes each event; 3.1 has no such field, so it rides as an extension.
        content: {
          'text/event-stream': { schema: { type: 'string' }, 'x-itemSchema': jsonSchemaOf(TaskView, 'output') },
        },
      },
    },
    errors: ['not_found', ...apiErrors],
  },
  {
    method: 'post',
    path: '/api/v1/tasks/:id/cancel',
    operationId: 'cancelTask',
    summary: 'Cancel a queued or running task and release its credits',
    tag: 'processing',
    auth: 'api',
    pathParams: ['id'],
    responses: { '200': { description: 'The canceled task.', json: TaskView } },
    errors: ['not_found', 'task_not_cancelable', ...apiErrors],
  },
  {
    method: 'get',
    path: '/api/v1/capabilities',
    operationId: 'capabilities',
    summary: 'Operations, their parameters and prices, and the limits',
    tag: 'processing',
    auth: 'none',
    responses: { '200': { description: 'What this deployment offers.', json: Capabilities } },
    errors: [],
  },
  {
    method: 'get',
    path: '/files/*',
    operationId: 'getResult',
    summary: 'A result image behind its signed, expiring URL (no bearer header)',
    description:
      "Serves a task's `resultUrl` or `thumbnailUrl` (a WebP at most 256 px a side). `format` (not part of the signature) asks for the same result as `png`, `webp` or `avif`; without it, `Accept` decides: AVIF, then WebP, when the client names them, else the stored format (`Vary: Accept`). Other encodings and the thumbnail are made once and kept. A result past its task's `expiresAt` answers 410 `result_expired`.",
    tag: 'processing',
    auth: 'none',
    query: z.object({
      expires: z.string(),
      signature: z.string(),
      wm: z.literal('1').optional().describe('Signed in when the free plan mark applies; served by the origin.'),
      format: ResultVariantFormat.optional().describe('The encoding to serve; unset: chosen by `Accept`.'),
    }),
    responses: {
      '200': {
        description: 'The image.',
        content: {
          'image/png': { schema: { type: 'string' } },
          'image/webp': { schema: { type: 'string' } },
          'image/avif': { schema: { type: 'string' } },
        },
      },
    },
    errors: ['invalid_signature', 'not_found', 'invalid_request', 'result_expired'],
  },
  {
    method: 'post',
    path: '/v1.0/removebg',
    operationId: 'removeBgCompatible',
    summary: 'remove.bg-compatible background removal, answered in the same request',
    description:
      'Same field names, headers and error shape as remove.bg: `X-Api-Key`, `image_file` or `image_file_b64`, `size`, `format` (`auto`, `png`, `jpg`, `webp`), `crop`, `crop_margin`, `bg_color`, `bg_image_file` (an uploaded background image, scaled to cover and put behind the subject), `channels`; `type` and `semitransparency` are accepted and need nothing. `image_url`, `bg_image_url`, `roi`, `scale`, `position`, shadows and `format=zip` are refused by name. Answers the image with `X-Credits-Charged`, `X-Width`, `X-Height`, `X-Foreground-Top/Left/Width/Height`, or `{"data": {"result_b64", "foreground_*"}}` for `Accept: application/json`. Errors: `{"errors": [{"title", "code"}]}`; a bad key is 403; a task not finished within 120 s is canceled (`504 processing_timeout`).',
    tag: 'compatibility',
    auth: 'removebg',
    requestBody: () => ({
      required: true,
      content: {
        'multipart/form-data': { schema: jsonSchemaOf(RemoveBgFields, 'input') },
        'application/json': { schema: jsonSchemaOf(RemoveBgFields, 'input') },
      },
    }),
    responses: {
      '200': {
        description: 'The image (or JSON with `result_b64`).',
        content: {
          'image/png': {},
          'image/jpeg': {},
          'image/webp': {},
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                data: {
                  type: 'object',
                  properties: {
                    result_b64: { type: 'string' },
                    foreground_top: { type: 'integer' },
                    foreground_left: { type: 'integer' },
                    foreground_width: { type: 'integer' },
                    foreground_height: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    errors: [
      'unauthorized',
      'invalid_request',
      'empty_upload',
      'upload_too_large',
      'unsupported_media_type',
      'image_corrupt',
      'image_too_large',
      'insufficient_credits',
      'unknown_foreground',
      'processing_failed',
      'processing_timeout',
      'rate_limited',
    ],
  },
  {
    method: 'post',
    path: '/api/v1/auth/sign-up',
    operationId: 'signUp',
    summary: 'Create an account (and its personal team); sets the session cookie',
    tag: 'accounts',
    auth: 'none',
    requestBody: json(SignUpBody),
    responses: { '201': { description: 'Signed up and in.', json: SignUpResponse } },
    errors: ['invalid_request', 'email_taken', 'csrf_rejected', 'rate_limited', 'unavailable'],
  },
  {
    method: 'post',
    path: '/api/v1/auth/sign-in',
    operationId: 'signIn',
    summary: 'Sign in with e-mail and password; sets the session cookie',
    tag: 'accounts',
    auth: 'none',
    requestBody: json(SignInBody),
    responses: { '200': { description: 'Signed in.', json: z.strictObject({ user: UserView }) } },
    errors: ['invalid_request', 'invalid_credentials', 'csrf_rejected', 'rate_limited', 'unavailable'],
  },
  {
    method: 'post',
    path: '/api/v1/auth/sign-out',
    operationId: 'signOut',
    summary: 'End this session',
    tag: 'accounts',
    auth: 'api',
    responses: { '204': noContent },
    errors: ['unauthorized', 'csrf_rejected', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/api/v1/auth/sign-out-everywhere',
    operationId: 'signOutEverywhere',
    summary: "End every one of the user's sessions and plugin tokens",
    tag: 'accounts',
    auth: 'api',
    responses: { '204': noContent },
    errors: ['unauthorized', 'forbidden', 'csrf_rejected', 'rate_limited'],
  },
  {
    method: 'get',
    path: '/api/v1/me',
    operationId: 'me',
    summary: 'Who is signed in, the active team and every team with its role and balance',
    tag: 'accounts',
    auth: 'api',
    responses: { '200': { description: 'The signed-in user.', json: MeResponse } },
    errors: ['unauthorized', 'forbidden', 'rate_limited'],
  },
  {
    method: 'get',
    path: '/api/v1/sessions',
    operationId: 'listSessions',
    summary: "The user's browser sessions and plugin tokens",
    tag: 'accounts',
    auth: 'api',
    responses: { '200': { description: 'Sessions.', json: SessionList } },
    errors: ['unauthorized', 'forbidden', 'rate_limited'],
  },
  {
    method: 'delete',
    path: '/api/v1/sessions/:id',
    operationId: 'revokeSession',
    summary: 'Revoke one session or plugin token',
    tag: 'accounts',
    auth: 'api',
    pathParams: ['id'],
    responses: { '204': noContent },
    errors: ['unauthorized', 'forbidden', 'csrf_rejected', 'not_found', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/api/v1/teams',
    operationId: 'createTeam',
    summary: 'Create a team; the caller owns it',
    tag: 'accounts',
    auth: 'browser',
    requestBody: json(CreateTeamBody),
    responses: { '201': { description: 'The team.', json: TeamView } },
    errors: ['invalid_request', ...browserErrors],
  },
  {
    method: 'get',
    path: '/api/v1/teams/:teamId/members',
    operationId: 'listMembers',
    summary: "The team's members and roles",
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId'],
    responses: { '200': { description: 'Members.', json: MemberList } },
    errors: browserErrors,
  },
  {
    method: 'patch',
    path: '/api/v1/teams/:teamId/members/:userId',
    operationId: 'changeMember',
    summary: "Change a member's role or monthly spending cap (admins; only owners touch owners)",
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId', 'userId'],
    requestBody: json(UpdateMemberBody),
    responses: { '200': { description: 'The member after the change.', json: MemberUpdate } },
    errors: ['invalid_request', 'last_owner', ...browserErrors],
  },
  {
    method: 'delete',
    path: '/api/v1/teams/:teamId/members/:userId',
    operationId: 'removeMember',
    summary: 'Remove a member (or leave the team)',
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId', 'userId'],
    responses: { '204': noContent },
    errors: ['last_owner', ...browserErrors],
  },
  {
    method: 'post',
    path: '/api/v1/teams/:teamId/invites',
    operationId: 'invite',
    summary: 'Invite by link, optionally bound to an e-mail address (and e-mailed there when SMTP is configured)',
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId'],
    requestBody: json(CreateInviteBody),
    responses: {
      '201': { description: 'The invite, its link, and whether it was e-mailed (`emailSent`).', json: InviteCreated },
    },
    errors: ['invalid_request', ...browserErrors],
  },
  {
    method: 'delete',
    path: '/api/v1/teams/:teamId/invites/:inviteId',
    operationId: 'revokeInvite',
    summary: 'Revoke a pending invite so its link stops working (admins; only owners revoke owner invites)',
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId', 'inviteId'],
    responses: { '204': noContent },
    errors: browserErrors,
  },
  {
    method: 'post',
    path: '/api/v1/invites/accept',
    operationId: 'acceptInvite',
    summary: "Join a team with an invite's token",
    tag: 'accounts',
    auth: 'browser',
    requestBody: json(AcceptInviteBody),
    responses: { '200': { description: 'The team joined.', json: TeamView } },
    errors: ['invalid_request', 'invite_unusable', 'already_member', ...browserErrors],
  },
  {
    method: 'get',
    path: '/api/v1/teams/:teamId/api-keys',
    operationId: 'listApiKeys',
    summary: "The team's API keys (admins)",
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId'],
    responses: { '200': { description: 'Keys, without secrets.', json: ApiKeyList } },
    errors: browserErrors,
  },
  {
    method: 'post',
    path: '/api/v1/teams/:teamId/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key; its secret is in this answer only',
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId'],
    requestBody: json(CreateApiKeyBody),
    responses: { '201': { description: 'The key and its secret.', json: ApiKeyCreated } },
    errors: ['invalid_request', ...browserErrors],
  },
  {
    method: 'delete',
    path: '/api/v1/teams/:teamId/api-keys/:keyId',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    tag: 'accounts',
    auth: 'browser',
    pathParams: ['teamId', 'keyId'],
    responses: { '204': noContent },
    errors: browserErrors,
  },
  {
    method: 'get',
    path: '/api/v1/billing',
    operationId: 'billing',
    summary: "The active team's plan, balance, credit packs and checkouts",
    tag: 'accounts',
    auth: 'api',
    responses: { '200': { description: 'The billing overview.', json: BillingOverview } },
    errors: [...apiErrors, 'forbidden', 'not_found'],
  },
  {
    method: 'post',
    path: '/api/v1/billing/checkout',
    operationId: 'startCheckout',
    summary: 'Start a Stripe Checkout for a credit pack (owners and admins)',
    tag: 'accounts',
    auth: 'browser',
    requestBody: json(CheckoutBody),
    responses: {
      '200': { description: 'Send the browser to `url`; credits arrive with the webhook.', json: CheckoutResponse },
    },
    errors: ['invalid_request', 'billing_unavailable', 'unavailable', ...browserErrors],
  },
  {
    method: 'post',
    path: '/api/v1/billing/webhook',
    operationId: 'stripeWebhook',
    summary: "Stripe's webhook (verified by Stripe-Signature; not for clients)",
    tag: 'accounts',
    auth: 'none',
    responses: { '200': { description: 'Received.', json: StripeWebhookAck } },
    errors: ['invalid_webhook_signature', 'billing_unavailable', 'invalid_request'],
  },
  {
    method: 'get',
    path: '/api/v1/webhooks',
    operationId: 'listWebhooks',
    summary: "The active team's webhook endpoints (owners and admins; API keys may read)",
    tag: 'webhooks',
    auth: 'api',
    responses: { '200': { description: 'Endpoints, without their secrets.', json: WebhookEndpointList } },
    errors: [...apiErrors, 'forbidden', 'not_found'],
  },
  {
    method: 'post',
    path: '/api/v1/webhooks',
    operationId: 'createWebhook',
    summary: 'Add a webhook endpoint; its signing secret (`whsec_…`) is in this answer only',
    description:
      'Events: `task.completed`, `task.failed` (all by default). Messages are signed per the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and retried on its schedule for about a day.',
    tag: 'webhooks',
    auth: 'browser',
    requestBody: json(CreateWebhookBody),
    responses: { '201': { description: 'The endpoint and its secret.', json: WebhookEndpointWithSecret } },
    errors: ['invalid_request', 'webhook_url_refused', ...browserErrors],
  },
  {
    method: 'patch',
    path: '/api/v1/webhooks/:id',
    operationId: 'updateWebhook',
    summary: "Change an endpoint's URL, events or enabled state, or rotate its secret",
    description:
      '`rotateSecret: true` answers the new secret once; the previous one keeps signing beside it (space-separated signatures) for 24 hours.',
    tag: 'webhooks',
    auth: 'browser',
    pathParams: ['id'],
    requestBody: json(UpdateWebhookBody),
    responses: { '200': { description: 'The endpoint after the change.', json: WebhookEndpointUpdated } },
    errors: ['invalid_request', 'webhook_url_refused', ...browserErrors],
  },
  {
    method: 'delete',
    path: '/api/v1/webhooks/:id',
    operationId: 'deleteWebhook',
    summary: 'Remove an endpoint and its delivery log',
    tag: 'webhooks',
    auth: 'browser',
    pathParams: ['id'],
    responses: { '204': noContent },
    errors: [...browserErrors],
  },
  {
    method: 'get',
    path: '/api/v1/webhooks/:id/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: "An endpoint's delivery log, newest first",
    tag: 'webhooks',
    auth: 'api',
    pathParams: ['id'],
    query: WebhookDeliveryQuery,
    responses: { '200': { description: 'Deliveries.', json: WebhookDeliveryList } },
    errors: ['invalid_request', ...apiErrors, 'forbidden', 'not_found'],
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/:id/test',
    operationId: 'testWebhook',
    summary: 'Send a `webhook.test` event to the endpoint',
    tag: 'webhooks',
    auth: 'browser',
    pathParams: ['id'],
    responses: { '202': { description: 'The delivery, queued.', json: WebhookDeliveryView } },
    errors: [...browserErrors],
  },
  {
    method: 'post',
    path: '/api/v1/pairings',
    operationId: 'startPairing',
    summary: 'A plugin asks to be signed in: a user code, a verification URL and a poll secret',
    tag: 'plugins',
    auth: 'none',
    requestBody: json(CreatePairingBody),
    responses: { '201': { description: 'The pairing.', json: PairingCreated } },
    errors: ['invalid_request', 'rate_limited', 'unavailable'],
  },
  {
    method: 'post',
    path: '/api/v1/pairings/token',
    operationId: 'pollPairing',
    summary: 'The plugin polls: pending, slow down, expired, denied, or its token (exactly once)',
    tag: 'plugins',
    auth: 'none',
    requestBody: json(PairingTokenBody),
    responses: { '200': { description: 'The bearer token for the approved team.', json: PairingToken } },
    errors: [
      'invalid_request',
      'not_found',
      'pairing_pending',
      'pairing_slow_down',
      'pairing_expired',
      'pairing_denied',
      'pairing_consumed',
      'rate_limited',
    ],
  },
  {
    method: 'get',
    path: '/api/v1/pairings/:code',
    operationId: 'getPairing',
    summary: 'Which plugin asks (for the approval page)',
    tag: 'plugins',
    auth: 'browser',
    pathParams: ['code'],
    responses: { '200': { description: 'The pairing.', json: PairingView } },
    errors: browserErrors,
  },
  {
    method: 'post',
    path: '/api/v1/pairings/:code/approve',
    operationId: 'approvePairing',
    summary: 'Approve a pairing for one of your teams',
    tag: 'plugins',
    auth: 'browser',
    pathParams: ['code'],
    requestBody: json(ApprovePairingBody),
    responses: { '200': { description: 'The pairing.', json: PairingView } },
    errors: ['invalid_request', 'pairing_expired', 'pairing_consumed', 'pairing_denied', ...browserErrors],
  },
  {
    method: 'post',
    path: '/api/v1/pairings/:code/deny',
    operationId: 'denyPairing',
    summary: 'Deny a pairing',
    tag: 'plugins',
    auth: 'browser',
    pathParams: ['code'],
    responses: { '200': { description: 'The pairing.', json: PairingView } },
    errors: ['pairing_expired', 'pairing_consumed', ...browserErrors],
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'openApi',
    summary: 'This document',
    tag: 'operations',
    auth: 'none',
    responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': {} } } },
    errors: [],
  },
  {
    method: 'get',
    path: '/api/v1/docs',
    operationId: 'reference',
    summary: 'This document as a readable page (works offline: no script, no external asset)',
    tag: 'operations',
    auth: 'none',
    responses: { '200': { description: 'HTML.', content: { 'text/html': {} } } },
    errors: [],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics of this API process (bearer METRICS_TOKEN when configured)',
    tag: 'operations',
    auth: 'none',
    responses: { '200': { description: 'Prometheus text format.', content: { 'text/plain': {} } } },
    errors: ['unauthorized'],
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness',
    tag: 'operations',
    auth: 'none',
    responses: { '200': ok },
    errors: [],
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    summary: 'Readiness of PostgreSQL, Redis and storage, and the live gpu-workers',
    tag: 'operations',
    auth: 'none',
    responses: {
      '200': { description: 'Ready.', json: HealthResponse },
      '503': { description: 'A dependency is down; `checks` says which.', json: HealthResponse },
    },
    errors: [],
  },
];
