import { serve } from '@hono/node-server';
import { serveMetrics } from '@lumina/runtime';
import { compose } from './compose-from-env.ts';
import { bootstrapLocalTeam, localTeamCredits } from './services/teams/bootstrap-local-team.ts';

const { backend, config, log } = await compose('backend');
if (backend.database.kind === 'pglite') {
  const local = await bootstrapLocalTeam({ ctx: backend.ctx });
  if (local) log.info('created the local team', { ...local, credits: localTeamCredits });
}
await backend.startBackground();
const server = serve({ fetch: backend.app.fetch, port: config.port, hostname: config.host }, (info) => {
  log.info('listening', {
    url: `http://${info.address}:${info.port}`,
    database: backend.database.kind,
    storage: config.storage.kind,
  });
});

const metricsServer =
  config.metricsListen === undefined
    ? undefined
    : await serveMetrics(backend.ctx.metrics.registry, { ...config.metricsListen, log, token: config.metricsToken });

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info('stopping', { signal });
  server.close();
  await metricsServer?.close();
  await backend.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
