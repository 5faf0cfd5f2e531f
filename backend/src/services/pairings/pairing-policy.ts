import type { PairingClient, PairingStatus, PairingView } from '@lumina/shared';
import type { pairings } from '../../db/schema.ts';

/** A pairing code lives ten minutes: long enough to switch to the browser and sign in. */
export const pairingLifetimeSeconds = 600;

/** The plugin polls at most this often; a faster poll answers `pairing_slow_down`. */
export const pairingPollIntervalSeconds = 5;

export const defaultPairingLabel: Record<PairingClient, string> = {
  figma: 'Figma plugin',
  'adobe-express': 'Adobe Express add-on',
};

type PairingRow = typeof pairings.$inferSelect;

/** The status a person or plugin sees: an undecided pairing past its expiry is `expired`. */
export const effectivePairingStatus = (row: PairingRow, now = new Date()): PairingStatus =>
  (row.status === 'pending' || row.status === 'approved') && now.getTime() >= row.expiresAt.getTime()
    ? 'expired'
    : row.status;

export const toPairingView = (row: PairingRow): PairingView => ({
  pairingId: row.id,
  userCode: row.userCode,
  client: row.client,
  label: row.label,
  status: effectivePairingStatus(row),
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
});
