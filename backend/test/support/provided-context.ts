// What the global setup hands to every test file through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL database created for this test run. */
    databaseUrl: string;
  }
}

export {};
