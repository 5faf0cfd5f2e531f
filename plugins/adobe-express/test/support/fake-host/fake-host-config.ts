import type { ExperimentalRules } from '../experimental-rules.ts';

/** What a test puts in the fake Express host before the panel loads (passed to the page as JSON). */
export interface FakeNodeSpec {
  readonly name: string;
  readonly kind: 'image' | 'text' | 'shape' | 'group';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly selected?: boolean;
  readonly luminaTaskId?: string;
}

export interface FakeHostConfig {
  readonly page: { width: number; height: number };
  /** The current page as Express would render it (`createRenditions`). */
  readonly pagePngBase64: string;
  readonly nodes: readonly FakeNodeSpec[];
  readonly storage: Record<string, unknown>;
  readonly theme: string;
  readonly exportAllowed: boolean;
  readonly premiumUser: boolean;
  readonly pageHasPremiumContent: boolean;
  /** The installed SDK's `@experimental` members, read from its typings at test time; the fakes refuse them. */
  readonly experimental: ExperimentalRules;
}
