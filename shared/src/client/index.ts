export * from './lumina-api-error.ts';
export * from './lumina-client.ts';
export type { AbortSignalLike, BlobLike, FetchLike, ResponseLike } from './web-globals.ts';
