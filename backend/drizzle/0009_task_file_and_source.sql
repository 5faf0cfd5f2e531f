-- 0008's journal time is earlier than 0006's, so a database migrated to 0006 before 0008 existed skips 0008
-- (the migrator applies only entries newer than the last one it ran). Its two columns are added here if missing.
ALTER TABLE "tasks" ADD COLUMN IF NOT EXISTS "source_task_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN IF NOT EXISTS "background_key" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "client" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "file_name" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "source_kind" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "source_api_key_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "source_label" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_source_kind_known" CHECK ("tasks"."source_kind" in ('api_key', 'cli', 'figma', 'adobe-express', 'plugin', 'studio'));