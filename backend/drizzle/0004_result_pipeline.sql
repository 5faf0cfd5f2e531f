ALTER TABLE "tasks" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "tasks_expires_idx" ON "tasks" USING btree ("expires_at") WHERE "tasks"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "tasks_team_request_idx" ON "tasks" USING btree ("team_id","request_hash") WHERE "tasks"."status" = 'COMPLETED';