import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import './provided-context.ts';
import { openDatabase } from '../../src/db/database.ts';

/**
 * Every test run gets its own PostgreSQL database on the real server, migrated once, dropped at the end:
 * tests never wipe shared tables, and a schema change can't collide with a previous run's leftovers.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `lumina_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // Leftovers of runs that were killed before their teardown, older than an hour.
  const stale = await admin.query<{ datname: string }>(
    "select datname from pg_database where datname like 'lumina_test_%'",
  );
  for (const { datname } of stale.rows) {
    const started = Number(datname.split('_')[2]);
    if (Number.isFinite(started) && Date.now() - started > 3600_000) {
      await admin.query(`drop database if exists "${datname}" with (force)`);
    }
  }
  await admin.query(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: '/nonexistent' });
  await database.migrate();
  await database.close();
  project.provide('databaseUrl', url.toString());

  return async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
}
