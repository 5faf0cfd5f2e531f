CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"name" text NOT NULL,
	"display_prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "credit_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"task_id" text,
	"kind" text NOT NULL,
	"balance_delta" integer NOT NULL,
	"reserved_delta" integer NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_ledger_kind_known" CHECK ("credit_ledger"."kind" in ('grant', 'reserve', 'capture', 'release'))
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"status" text NOT NULL,
	"operation" text NOT NULL,
	"params" jsonb NOT NULL,
	"input_key" text NOT NULL,
	"output_key" text NOT NULL,
	"input_sha256" text NOT NULL,
	"input_format" text NOT NULL,
	"input_width" integer NOT NULL,
	"input_height" integer NOT NULL,
	"credits_reserved" integer NOT NULL,
	"credits_deducted" integer DEFAULT 0 NOT NULL,
	"idempotency_key" text,
	"request_hash" text NOT NULL,
	"enqueue_count" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"error_code" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"deadline_at" timestamp with time zone NOT NULL,
	CONSTRAINT "tasks_status_known" CHECK ("tasks"."status" in ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELED')),
	CONSTRAINT "tasks_credits_nonnegative" CHECK ("tasks"."credits_reserved" >= 0 and "tasks"."credits_deducted" >= 0)
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_balance_nonnegative" CHECK ("teams"."balance" >= 0),
	CONSTRAINT "teams_reserved_nonnegative" CHECK ("teams"."reserved" >= 0)
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "api_keys_team_idx" ON "api_keys" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_ledger_task_kind" ON "credit_ledger" USING btree ("task_id","kind");--> statement-breakpoint
CREATE INDEX "credit_ledger_team_idx" ON "credit_ledger" USING btree ("team_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_team_idempotency_key" ON "tasks" USING btree ("team_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "tasks_team_history_idx" ON "tasks" USING btree ("team_id","id");--> statement-breakpoint
CREATE INDEX "tasks_open_idx" ON "tasks" USING btree ("created_at") WHERE "tasks"."status" in ('QUEUED', 'PROCESSING');