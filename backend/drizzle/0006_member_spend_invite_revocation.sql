CREATE TABLE "member_monthly_spend" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"month" text NOT NULL,
	"credits" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "member_monthly_spend_nonnegative" CHECK ("member_monthly_spend"."credits" >= 0)
);
--> statement-breakpoint
ALTER TABLE "invites" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "member_monthly_spend" ADD CONSTRAINT "member_monthly_spend_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_monthly_spend" ADD CONSTRAINT "member_monthly_spend_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "member_monthly_spend_key" ON "member_monthly_spend" USING btree ("team_id","user_id","month");--> statement-breakpoint
CREATE INDEX "tasks_input_key_idx" ON "tasks" USING btree ("input_key");--> statement-breakpoint
CREATE INDEX "tasks_output_key_idx" ON "tasks" USING btree ("output_key");--> statement-breakpoint
INSERT INTO "member_monthly_spend" ("team_id", "user_id", "month", "credits")
SELECT "team_id", "submitted_by_user_id", to_char("created_at" AT TIME ZONE 'UTC', 'YYYY-MM'),
  sum(CASE WHEN "status" IN ('QUEUED', 'PROCESSING') THEN "credits_reserved" ELSE "credits_deducted" END)
FROM "tasks" WHERE "submitted_by_user_id" IS NOT NULL
GROUP BY 1, 2, 3;
--> statement-breakpoint
UPDATE "invites" SET "revoked_at" = now()
WHERE "accepted_at" IS NULL AND NOT EXISTS (
  SELECT 1 FROM "team_members" m WHERE m."team_id" = "invites"."team_id" AND m."user_id" = "invites"."invited_by_user_id"
);
