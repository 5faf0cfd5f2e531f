import type { Operation } from '@lumina/shared';
import type { JobResult, JobSource, JobStatus, PlacedAs } from './run-job.ts';

/** One row of the panel's job list. */
export interface Job {
  readonly id: number;
  /** The layer's name as a designer would say it, or the file's name. */
  readonly label: string;
  readonly operation: Operation;
  readonly source: JobSource;
  readonly controller: AbortController;
  status: JobStatus;
  progress: number;
  taskId?: string;
  inputUrl?: string;
  resultUrl?: string;
  error?: { code: string; message: string };
  result?: JobResult;
  placedAs?: PlacedAs;
  /** The node the result went into or beside, for "Select". */
  placedNodeId?: string | null;
}
