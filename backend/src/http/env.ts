import type { Principal } from '../auth/principal.ts';
import type { ServiceContext } from '../services/context.ts';

/** Hono's typed environment for every route: the request id and, behind auth, the caller. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    ctx: ServiceContext;
    /** `/readyz`'s check of the database, which the service context does not expose. */
    ping: { database(): Promise<void> };
  };
}
