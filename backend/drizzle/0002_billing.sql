CREATE TABLE "checkouts" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"created_by_user_id" text,
	"pack_id" text NOT NULL,
	"credits" integer NOT NULL,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone,
	CONSTRAINT "checkouts_status_known" CHECK ("checkouts"."status" in ('open', 'paid', 'failed', 'expired')),
	CONSTRAINT "checkouts_amounts_positive" CHECK ("checkouts"."credits" > 0 and "checkouts"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_ledger" DROP CONSTRAINT "credit_ledger_kind_known";--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD COLUMN "checkout_id" text;--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD COLUMN "allowance_month" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "submitted_by_user_id" text;--> statement-breakpoint
ALTER TABLE "team_members" ADD COLUMN "monthly_spend_cap" integer;--> statement-breakpoint
ALTER TABLE "checkouts" ADD CONSTRAINT "checkouts_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkouts" ADD CONSTRAINT "checkouts_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "checkouts_team_idx" ON "checkouts" USING btree ("team_id","created_at");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_submitted_by_user_id_users_id_fk" FOREIGN KEY ("submitted_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_ledger_checkout_key" ON "credit_ledger" USING btree ("checkout_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_ledger_team_allowance_month" ON "credit_ledger" USING btree ("team_id","allowance_month");--> statement-breakpoint
CREATE INDEX "tasks_team_submitter_idx" ON "tasks" USING btree ("team_id","submitted_by_user_id","created_at") WHERE "tasks"."submitted_by_user_id" is not null;--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_purchase_has_checkout" CHECK (("credit_ledger"."kind" = 'purchase') = ("credit_ledger"."checkout_id" is not null));--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_allowance_has_month" CHECK (("credit_ledger"."kind" = 'allowance') = ("credit_ledger"."allowance_month" is not null));--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_kind_known" CHECK ("credit_ledger"."kind" in ('grant', 'reserve', 'capture', 'release', 'purchase', 'allowance'));--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_spend_cap_nonnegative" CHECK ("team_members"."monthly_spend_cap" is null or "team_members"."monthly_spend_cap" >= 0);