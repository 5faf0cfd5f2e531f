import * as z from 'zod';

/** E-mail addresses are compared and stored lower-cased. */
export const Email = z.string().trim().toLowerCase().pipe(z.email().max(254));
export type Email = z.infer<typeof Email>;

/** Long passphrases are welcome; the upper bound only keeps argon2's input reasonable. */
export const Password = z.string().min(8, 'must be at least 8 characters').max(256);

export const SignUpBody = z.strictObject({
  email: Email,
  password: Password,
  name: z.string().trim().min(1).max(100),
});
export type SignUpBody = z.infer<typeof SignUpBody>;

export const SignInBody = z.strictObject({
  email: Email,
  // Not `Password`: a too-short password must answer the same `invalid_credentials` as a wrong one.
  password: z.string().max(256),
});
export type SignInBody = z.infer<typeof SignInBody>;

export const TeamRole = z.enum(['owner', 'admin', 'member']);
export type TeamRole = z.infer<typeof TeamRole>;

export const SessionKind = z.enum(['browser', 'plugin']);
export type SessionKind = z.infer<typeof SessionKind>;

export const UserView = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
});
export type UserView = z.infer<typeof UserView>;

export const MyTeam = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: TeamRole,
  personal: z.boolean(),
  balance: z.number().int(),
  reserved: z.number().int(),
});
export type MyTeam = z.infer<typeof MyTeam>;

/** `GET /api/v1/me`: who is signed in, the team this request acts for, and every team with its role and pool. */
export const MeResponse = z.strictObject({
  user: UserView,
  session: z.strictObject({ id: z.string(), kind: SessionKind, expiresAt: z.iso.datetime() }),
  activeTeamId: z.string(),
  teams: z.array(MyTeam),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const SignUpResponse = z.strictObject({ user: UserView, personalTeamId: z.string() });
export type SignUpResponse = z.infer<typeof SignUpResponse>;

export const SessionView = z.strictObject({
  id: z.string(),
  kind: SessionKind,
  label: z.string().nullable(),
  teamId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
  current: z.boolean(),
});
export type SessionView = z.infer<typeof SessionView>;

export const SessionList = z.strictObject({ sessions: z.array(SessionView) });
export type SessionList = z.infer<typeof SessionList>;

export const CreateTeamBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export type CreateTeamBody = z.infer<typeof CreateTeamBody>;

export const TeamView = z.strictObject({ id: z.string(), name: z.string(), role: TeamRole });
export type TeamView = z.infer<typeof TeamView>;

export const MemberView = z.strictObject({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: TeamRole,
  joinedAt: z.iso.datetime(),
  /** Credits the member may spend per UTC calendar month; null means no cap. */
  monthlySpendCap: z.int().nullable(),
});
export type MemberView = z.infer<typeof MemberView>;

export const MemberList = z.strictObject({ members: z.array(MemberView) });
export type MemberList = z.infer<typeof MemberList>;

export const ChangeRoleBody = z.strictObject({ role: TeamRole });
export type ChangeRoleBody = z.infer<typeof ChangeRoleBody>;

export const CreateInviteBody = z.strictObject({
  role: TeamRole.default('member'),
  email: Email.optional(),
});
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;

/**
 * The link is the only place the invite's token appears. `emailSent` says whether it was also e-mailed to
 * `email` (only with SMTP configured, and only when the server accepted it); otherwise the inviter passes it on.
 */
export const InviteCreated = z.strictObject({
  inviteId: z.string(),
  link: z.url(),
  role: TeamRole,
  email: z.string().nullable(),
  expiresAt: z.iso.datetime(),
  emailSent: z.boolean(),
});
export type InviteCreated = z.infer<typeof InviteCreated>;

export const AcceptInviteBody = z.strictObject({ token: z.string().min(1).max(200) });
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;

export const CreateApiKeyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ApiKeyView = z.strictObject({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyView>;

/** The secret is in this answer only; it is stored hashed. */
export const ApiKeyCreated = ApiKeyView.extend({ secret: z.string() });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;

export const ApiKeyList = z.strictObject({ apiKeys: z.array(ApiKeyView) });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const PairingClient = z.enum(['figma', 'adobe-express']);
export type PairingClient = z.infer<typeof PairingClient>;

export const CreatePairingBody = z.strictObject({
  client: PairingClient,
  label: z.string().trim().min(1).max(100).optional(),
});
export type CreatePairingBody = z.infer<typeof CreatePairingBody>;

/** RFC 8628's device authorization response, in this API's camelCase. */
export const PairingCreated = z.strictObject({
  pairingId: z.string(),
  userCode: z.string(),
  verificationUri: z.url(),
  verificationUriComplete: z.url(),
  pollSecret: z.string(),
  expiresIn: z.number().int().positive(),
  interval: z.number().int().positive(),
});
export type PairingCreated = z.infer<typeof PairingCreated>;

export const PairingTokenBody = z.strictObject({ pollSecret: z.string().min(1).max(200) });
export type PairingTokenBody = z.infer<typeof PairingTokenBody>;

export const PairingToken = z.strictObject({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  sessionId: z.string(),
  teamId: z.string(),
  expiresAt: z.iso.datetime(),
});
export type PairingToken = z.infer<typeof PairingToken>;

export const PairingStatus = z.enum(['pending', 'approved', 'denied', 'consumed', 'expired']);
export type PairingStatus = z.infer<typeof PairingStatus>;

/** What the approval page shows: which plugin asks, and whether it still can be approved. */
export const PairingView = z.strictObject({
  pairingId: z.string(),
  userCode: z.string(),
  client: PairingClient,
  label: z.string().nullable(),
  status: PairingStatus,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type PairingView = z.infer<typeof PairingView>;

export const ApprovePairingBody = z.strictObject({ teamId: z.string().min(1) });
export type ApprovePairingBody = z.infer<typeof ApprovePairingBody>;
