// Set by scripts/build.mjs: the API origin the UI calls.
declare const __API_ORIGIN__: string;
