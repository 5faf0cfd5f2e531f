ALTER TABLE "tasks" ADD COLUMN "source_task_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "background_key" text;