import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
    createdAt: createdAt(),
  },
  (t) => [
    check('teams_balance_nonnegative', sql`${t.balance} >= 0`),
    check('teams_reserved_nonnegative', sql`${t.reserved} >= 0`),
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
  },
  (t) => [
    check('tasks_status_known', sql`${t.status} in ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELED')`),
    check('tasks_credits_nonnegative', sql`${t.creditsReserved} >= 0 and ${t.creditsDeducted} >= 0`),
    uniqueIndex('tasks_team_idempotency_key').on(t.teamId, t.idempotencyKey),
    index('tasks_team_history_idx').on(t.teamId, t.id),
    index('tasks_open_idx').on(t.createdAt).where(sql`${t.status} in ('QUEUED', 'PROCESSING')`),
  ],
);

export const ledgerKinds = ['grant', 'reserve', 'capture', 'release'] as const;

/**
 * The credit ledger: every movement of a team's pool is one row. `balance_delta` and `reserved_delta` change
 * the team's two counters; a task has at most one row of each kind, which the unique index enforces, so no
 * retry or duplicate event can charge twice.
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
    createdAt: createdAt(),
  },
  (t) => [
    check('credit_ledger_kind_known', sql`${t.kind} in ('grant', 'reserve', 'capture', 'release')`),
    uniqueIndex('credit_ledger_task_kind').on(t.taskId, t.kind),
    index('credit_ledger_team_idx').on(t.teamId, t.id),
  ],
);
