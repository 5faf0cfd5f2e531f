/** Where the pixels to send come from. */
export type InputSource = 'page-rendition' | 'document-media' | 'lumina-result' | 'file';

export interface UploadContext {
  readonly source: InputSource;
  /** `addOnUISdk.app.document.exportAllowed()`: false while the document is under review. */
  readonly documentExportAllowed: boolean;
  /** `PageMetadata.hasPremiumContent` of the page the rendition comes from. */
  readonly pageHasPremiumContent: boolean;
  /** `addOnUISdk.app.currentUser.isPremiumUser()`. */
  readonly userIsPremium: boolean;
  /** The experimental `canExportMedia()`; null where it was not asked. */
  readonly mediaExportable: boolean | null;
}

export type UploadRefusalCode = 'export_not_allowed' | 'premium_content';

/** Worded by `expressWords`, like the add-on's other failures. */
export interface UploadRefusal {
  readonly code: UploadRefusalCode;
}

/**
 * Express's rules on what may leave the document, checked before anything is uploaded: nothing while the
 * document's review forbids export, and no premium content for a user without a premium plan. A file the user
 * picked from their own disk is theirs to send.
 */
export function uploadRefusal(context: UploadContext): UploadRefusal | null {
  if (context.source === 'file') return null;
  if (!context.documentExportAllowed) {
    return { code: 'export_not_allowed' };
  }
  if (context.mediaExportable === false) {
    return { code: 'premium_content' };
  }
  if (context.source === 'page-rendition' && context.pageHasPremiumContent && !context.userIsPremium) {
    return { code: 'premium_content' };
  }
  return null;
}
