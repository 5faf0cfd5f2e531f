import { parseArgs } from 'node:util';
import { z } from 'zod';
import { compose } from './compose-from-env.ts';
import { createApiKey } from './services/accounts/create-api-key.ts';
import { grantCredits } from './services/billing/grant-credits.ts';
import { createTeam } from './services/teams/create-team.ts';

const usage = `usage:
  npm run admin -- create-team --name <name> --credits <n>
  npm run admin -- grant --team <teamId> --credits <n>
  npm run admin -- create-key --team <teamId> [--name <name>]`;

const credits = z.coerce.number().int().min(0);
const Commands = z.discriminatedUnion('command', [
  z.object({ command: z.literal('create-team'), name: z.string().min(1), credits }),
  z.object({
    command: z.literal('grant'),
    team: z.string().startsWith('team_'),
    credits: credits.pipe(z.number().positive()),
  }),
  z.object({
    command: z.literal('create-key'),
    team: z.string().startsWith('team_'),
    name: z.string().min(1).default('cli'),
  }),
]);

const { values, positionals } = parseArgs({
  options: { name: { type: 'string' }, credits: { type: 'string' }, team: { type: 'string' } },
  allowPositionals: true,
});
const parsed = Commands.safeParse({ command: positionals[0], ...values });
if (!parsed.success) {
  process.stderr.write(`${z.prettifyError(parsed.error)}\n${usage}\n`);
  process.exit(2);
}

const { backend } = await compose('admin');
const ctx = backend.ctx;
try {
  const args = parsed.data;
  let output: Record<string, unknown>;
  if (args.command === 'create-team') {
    const team = await createTeam({ ctx, input: { name: args.name, credits: args.credits } });
    output = { teamId: team.teamId, apiKey: team.apiKey };
  } else if (args.command === 'grant') {
    const team = await grantCredits({ ctx, input: { teamId: args.team, credits: args.credits, note: 'admin grant' } });
    output = { teamId: args.team, balance: team.balance };
  } else {
    const key = await createApiKey(ctx.db, { teamId: args.team, name: args.name });
    output = { teamId: args.team, apiKeyId: key.id, apiKey: key.secret };
  }
  process.stdout.write(`${JSON.stringify(output)}\n`);
} catch (error) {
  process.stderr.write(`lumina admin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await backend.close();
}
