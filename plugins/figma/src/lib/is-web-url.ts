/**
 * An `http(s)` URL with a host, checked by its text: Figma's main thread has no global `URL` (its typings do not
 * declare one), so a check that constructs one would throw there and the link would never open.
 */
export const isWebUrl = (text: string): boolean => /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i.test(text);
