/** JSON text's value, or undefined when it is not JSON: for bodies from Redis that a zod schema checks next. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
