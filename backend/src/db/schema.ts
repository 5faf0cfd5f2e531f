import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/**
 * A team owns a credit pool. `balance` is what members can still spend; `reserved` is held by tasks in flight.
 * Both are kept equal to the sums of the ledger's deltas in the same transaction that writes the ledger row,
 * and the checks make a negative pool impossible even under concurrent submits.
 */
export const teams = pgTable(
  'teams',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    balance: integer('balance').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    /** Set on the personal team every user gets at sign-up (one per user); null for shared teams. */
    personalOwnerUserId: text('personal_owner_user_id').references((): AnyPgColumn => users.id, {
      onDelete: 'set null',
    }),
    createdAt: createdAt(),
  },
  (t) => [
    check('teams_balance_nonnegative', sql`${t.balance} >= 0`),
    check('teams_reserved_nonnegative', sql`${t.reserved} >= 0`),
    uniqueIndex('teams_personal_owner_key').on(t.personalOwnerUserId),
  ],
);

/** API keys: only the SHA-256 of the secret is stored; the secret is shown once, at creation. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the secret, to tell keys apart in lists. */
    displayPrefix: text('display_prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_keys_secret_hash_key').on(t.secretHash), index('api_keys_team_idx').on(t.teamId)],
);

export const taskStatuses = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELED'] as const;
/** The plugins that pair with the dashboard (device-style), as `pairings.client` and `sessions.client`. */
export const pairingClients = ['figma', 'adobe-express'] as const;
/** Where a task came from; `plugin` is a plugin session from before sessions recorded which plugin. */
export const taskSourceKinds = ['api_key', 'cli', 'figma', 'adobe-express', 'plugin', 'studio'] as const;

export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    status: text('status', { enum: taskStatuses }).notNull(),
    operation: text('operation').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    inputKey: text('input_key').notNull(),
    outputKey: text('output_key').notNull(),
    inputSha256: text('input_sha256').notNull(),
    inputFormat: text('input_format').notNull(),
    inputWidth: integer('input_width').notNull(),
    inputHeight: integer('input_height').notNull(),
    creditsReserved: integer('credits_reserved').notNull(),
    creditsDeducted: integer('credits_deducted').notNull().default(0),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 over the input bytes and the operation request: a replayed key with other content is refused. */
    requestHash: text('request_hash').notNull(),
    /** How many times the job was put on the queue (the reconciler re-enqueues vanished jobs). */
    enqueueCount: integer('enqueue_count').notNull().default(0),
    result: jsonb('result').$type<Record<string, unknown>>(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    deadlineAt: timestamp('deadline_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The person whose session submitted the task (null for API keys): their monthly spending cap counts it. */
    submittedByUserId: text('submitted_by_user_id').references((): AnyPgColumn => users.id, { onDelete: 'set null' }),
    /** Set when the task settles, from the team's retention: the retention job then deletes it and its objects. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** A chained step: the task whose result was this task's input. Kept as text: the source may be purged first. */
    sourceTaskId: text('source_task_id'),
    /** A removal's background image (`bg_image_file`), stored beside the input; null when there is none. */
    backgroundKey: text('background_key'),
    /** The uploaded file's name as the client sent it (sanitised, at most 200 characters); null when none. */
    fileName: text('file_name'),
    /** Where the task came from (`TaskSourceKind`): an API key, the CLI, a plugin, the studio. Null before 0009. */
    sourceKind: text('source_kind', { enum: taskSourceKinds }),
    /** The API key that submitted it (kept as text: a key is revoked, never deleted, but the id outlives it). */
    sourceApiKeyId: text('source_api_key_id'),
    /** The key's name or the plugin session's label at submit time, for the history. */
    sourceLabel: text('source_label'),
  },
  (t) => [
    check('tasks_status_known', sql`${t.status} in ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELED')`),
    check(
      'tasks_source_kind_known',
      sql`${t.sourceKind} in ('api_key', 'cli', 'figma', 'adobe-express', 'plugin', 'studio')`,
    ),
    check('tasks_credits_nonnegative', sql`${t.creditsReserved} >= 0 and ${t.creditsDeducted} >= 0`),
    uniqueIndex('tasks_team_idempotency_key').on(t.teamId, t.idempotencyKey),
    index('tasks_team_history_idx').on(t.teamId, t.id),
    index('tasks_open_idx').on(t.createdAt).where(sql`${t.status} in ('QUEUED', 'PROCESSING')`),
    index('tasks_team_submitter_idx')
      .on(t.teamId, t.submittedByUserId, t.createdAt)
      .where(sql`${t.submittedByUserId} is not null`),
    index('tasks_expires_idx').on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
    // Finds a completed task with the same input and request, so the same work is not done twice.
    index('tasks_team_request_idx').on(t.teamId, t.requestHash).where(sql`${t.status} = 'COMPLETED'`),
    // A duplicate refers to the objects of the task it repeats: retention asks whether any task still uses them.
    index('tasks_input_key_idx').on(t.inputKey),
    index('tasks_output_key_idx').on(t.outputKey),
  ],
);

export const ledgerKinds = ['grant', 'reserve', 'capture', 'release', 'purchase', 'allowance'] as const;

/**
 * The credit ledger: every movement of a team's pool is one row. `balance_delta` and `reserved_delta` change
 * the team's two counters; a task has at most one row of each kind, which the unique index enforces, so no
 * retry or duplicate event can charge twice. Likewise a Stripe Checkout Session grants at most one `purchase`
 * and a team gets at most one free `allowance` per calendar month.
 */
export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    taskId: text('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: ledgerKinds }).notNull(),
    balanceDelta: integer('balance_delta').notNull(),
    reservedDelta: integer('reserved_delta').notNull(),
    note: text('note'),
    /** `purchase` rows: the Stripe Checkout Session that paid for them. */
    checkoutId: text('checkout_id'),
    /** `allowance` rows: the UTC calendar month they are for, `YYYY-MM`. */
    allowanceMonth: text('allowance_month'),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'credit_ledger_kind_known',
      sql`${t.kind} in ('grant', 'reserve', 'capture', 'release', 'purchase', 'allowance')`,
    ),
    check('credit_ledger_purchase_has_checkout', sql`(${t.kind} = 'purchase') = (${t.checkoutId} is not null)`),
    check('credit_ledger_allowance_has_month', sql`(${t.kind} = 'allowance') = (${t.allowanceMonth} is not null)`),
    uniqueIndex('credit_ledger_task_kind').on(t.taskId, t.kind),
    uniqueIndex('credit_ledger_checkout_key').on(t.checkoutId),
    uniqueIndex('credit_ledger_team_allowance_month').on(t.teamId, t.allowanceMonth),
    index('credit_ledger_team_idx').on(t.teamId, t.id),
  ],
);

/**
 * What a member spent from a team's pool per UTC month (of the tasks' submission), moved in the transactions
 * that reserve, capture and release: unlike the tasks, which the retention job deletes, it lasts the month, so
 * a spending cap cannot be reset by letting old tasks expire.
 */
export const memberMonthlySpend = pgTable(
  'member_monthly_spend',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `YYYY-MM`, UTC. */
    month: text('month').notNull(),
    credits: integer('credits').notNull().default(0),
  },
  (t) => [
    uniqueIndex('member_monthly_spend_key').on(t.teamId, t.userId, t.month),
    check('member_monthly_spend_nonnegative', sql`${t.credits} >= 0`),
  ],
);

/** A person. The e-mail is stored lower-cased so sign-in and uniqueness ignore case. */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    /** argon2id, PHC string (parameters and salt included); null for an account made through Google sign-in. */
    passwordHash: text('password_hash'),
    name: text('name').notNull(),
    /** The Google account's stable `sub`, once the person has signed in with Google. */
    googleSub: text('google_sub'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    uniqueIndex('users_google_sub_key').on(t.googleSub),
    check('users_email_lowercase', sql`${t.email} = lower(${t.email})`),
  ],
);

export const sessionKinds = ['browser', 'plugin'] as const;

/**
 * Sessions as in the Lucia guide: the client holds a random token, the id is the SHA-256 (hex) of that token,
 * so a leaked table gives nobody a usable session. A plugin session acts for the one team its user approved.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: sessionKinds }).notNull(),
    /** What the holder is, for the session list: "Firefox", "Figma plugin". */
    label: text('label'),
    /** Plugin sessions only: which plugin paired (`pairings.client`); null for browsers and pre-0009 sessions. */
    client: text('client', { enum: pairingClients }),
    /** Plugin sessions only: the team the user approved the plugin to spend from. */
    teamId: text('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('sessions_kind_known', sql`${t.kind} in ('browser', 'plugin')`),
    check('sessions_plugin_has_team', sql`(${t.kind} = 'plugin') = (${t.teamId} is not null)`),
    index('sessions_user_idx').on(t.userId),
  ],
);

export const teamRoles = ['owner', 'admin', 'member'] as const;

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: teamRoles }).notNull(),
    /** Credits this member may spend from the pool per calendar month (UTC); null means no cap. */
    monthlySpendCap: integer('monthly_spend_cap'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('team_members_team_user_key').on(t.teamId, t.userId),
    index('team_members_user_idx').on(t.userId),
    check('team_members_role_known', sql`${t.role} in ('owner', 'admin', 'member')`),
    check('team_members_spend_cap_nonnegative', sql`${t.monthlySpendCap} is null or ${t.monthlySpendCap} >= 0`),
  ],
);

/** An invitation by link: only the SHA-256 of the link's token is stored. Single use, expiring. */
export const invites = pgTable(
  'invites',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    role: text('role', { enum: teamRoles }).notNull(),
    /** When set, only the user with this (lower-cased) e-mail may accept. */
    email: text('email'),
    tokenHash: text('token_hash').notNull(),
    invitedByUserId: text('invited_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, mode: 'date' }),
    acceptedByUserId: text('accepted_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set when an admin revoked the link, or its inviter left the team: it can no longer be accepted. */
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invites_token_hash_key').on(t.tokenHash),
    index('invites_team_idx').on(t.teamId),
    check('invites_role_known', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
);

export const pairingStatuses = ['pending', 'approved', 'denied', 'consumed'] as const;

/**
 * Device-style plugin sign-in (RFC 8628's shape): the plugin holds the poll secret (only its hash is stored),
 * the person types or follows the user code in a signed-in browser and approves it for one of their teams.
 */
export const pairings = pgTable(
  'pairings',
  {
    id: text('id').primaryKey(),
    userCode: text('user_code').notNull(),
    pollSecretHash: text('poll_secret_hash').notNull(),
    client: text('client', { enum: pairingClients }).notNull(),
    label: text('label'),
    status: text('status', { enum: pairingStatuses }).notNull().default('pending'),
    approvedByUserId: text('approved_by_user_id').references(() => users.id, { onDelete: 'cascade' }),
    teamId: text('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastPolledAt: timestamp('last_polled_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('pairings_user_code_key').on(t.userCode),
    uniqueIndex('pairings_poll_secret_hash_key').on(t.pollSecretHash),
    check('pairings_status_known', sql`${t.status} in ('pending', 'approved', 'denied', 'consumed')`),
    check('pairings_client_known', sql`${t.client} in ('figma', 'adobe-express')`),
  ],
);

/** Every Stripe event id handled once: a replayed delivery finds its id here and changes nothing. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const checkoutStatuses = ['open', 'paid', 'failed', 'expired'] as const;

/**
 * A Stripe Checkout Session a team started for a credit pack. Events may arrive in any order and more than
 * once: `paid` is final (the grant is the ledger's `purchase` row, unique per session), and a late
 * `expired` or `failed` never moves a paid checkout back.
 */
export const checkouts = pgTable(
  'checkouts',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    createdByUserId: text('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    packId: text('pack_id').notNull(),
    credits: integer('credits').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: checkoutStatuses }).notNull().default('open'),
    createdAt: createdAt(),
    paidAt: timestamp('paid_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('checkouts_status_known', sql`${t.status} in ('open', 'paid', 'failed', 'expired')`),
    check('checkouts_amounts_positive', sql`${t.credits} > 0 and ${t.amount} > 0`),
    index('checkouts_team_idx').on(t.teamId, t.createdAt),
  ],
);

/**
 * A team's outgoing webhook endpoint (Standard Webhooks). The secret must be kept in clear to sign with; it is
 * shown once. After a rotation the previous secret still signs, beside the new one, until it expires.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** `whsec_` + base64 of 24 random bytes. */
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    eventTypes: text('event_types').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_endpoints_team_idx').on(t.teamId, t.createdAt)],
);

export const webhookDeliveryStatuses = ['pending', 'succeeded', 'failed'] as const;

/**
 * One message to one endpoint, created in the transaction that produced its event (a task settling), so an
 * event is never lost nor doubled. The id (`msg_…`) is the `webhook-id` header on every attempt.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: webhookDeliveryStatuses }).notNull().default('pending'),
    /** Attempts started so far; attempt n is claimed by setting this to n before the request goes out. */
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due while pending; a pending delivery overdue here lost its job and is re-queued. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    lastHttpStatus: integer('last_http_status'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('webhook_deliveries_status_known', sql`${t.status} in ('pending', 'succeeded', 'failed')`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.id),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);
