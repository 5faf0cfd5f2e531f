/**
 * The members of the Express SDK marked `@experimental`, per SDK class, as the strict fakes refuse them. Built at
 * test time from the installed typings (`sdk-experimental-members.ts`) and handed to the fakes, also in the browser,
 * so this file touches no Node API.
 */
export interface ExperimentalRules {
  /** SDK class or interface name → experimental member names, its ancestors' included. */
  readonly membersByType: Readonly<Record<string, readonly string[]>>;
  /** The manifest's `requirements.experimentalApis`: only then does Express let an add-on use them. */
  readonly allowed: boolean;
}

export class ExperimentalApiError extends Error {
  constructor(sdkType: string, member: string) {
    super(`${sdkType}.${member} is @experimental in the installed SDK; production add-ons may not use it`);
    this.name = 'ExperimentalApiError';
  }
}

/**
 * Wraps a fake host object so that reading, writing or testing for any member its SDK class marks experimental
 * throws, unless the manifest allows experimental APIs. `sdkType` is read at each access, so one wrapper set up by
 * a base class serves its subclasses.
 */
export function strictSdkObject<T extends object>(target: T, sdkType: () => string, rules: ExperimentalRules): T {
  if (rules.allowed) return target;
  const refuse = (member: string | symbol) => {
    if (typeof member !== 'string') return;
    const type = sdkType();
    if (rules.membersByType[type]?.includes(member)) throw new ExperimentalApiError(type, member);
  };
  return new Proxy(target, {
    get(object, member, receiver) {
      refuse(member);
      return Reflect.get(object, member, receiver);
    },
    set(object, member, value, receiver) {
      refuse(member);
      return Reflect.set(object, member, value, receiver);
    },
    has(object, member) {
      refuse(member);
      return Reflect.has(object, member);
    },
  });
}
