export * from './accounts.ts';
export * from './api.ts';
export * from './billing.ts';
export * from './capabilities.ts';
export * from './errors.ts';
export * from './jobs.ts';
export * from './operations.ts';
export * from './tasks.ts';
