/** Set by scripts/build.mjs (esbuild `define`). */
declare const __LUMINA_EXPERIMENTAL_APIS__: boolean;
declare const __LUMINA_API_ORIGIN__: string;
