export * from './chained-step.ts';
export * from './credits-label.ts';
export * from './error-words.ts';
export * from './explain-error.ts';
export * from './option-form.ts';
export * from './run-bounded.ts';
export * from './session.ts';
