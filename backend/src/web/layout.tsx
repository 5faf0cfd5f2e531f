/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { MeResponse } from '@lumina/shared';
import type { Child } from 'hono/jsx';
import { dashboardCss } from './dashboard-css.ts';

const navItems = [
  { href: '/', label: 'Dashboard' },
  { href: '/studio', label: 'Studio' },
  { href: '/tasks', label: 'Tasks' },
  { href: '/billing', label: 'Billing' },
  { href: '/keys', label: 'API keys' },
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/team', label: 'Team' },
  { href: '/sessions', label: 'Sessions' },
  { href: '/api/v1/docs', label: 'Docs' },
] as const;

/**
 * Every page's shell: landmarks (banner, navigation, main), a skip link, the team switcher for people in several
 * teams and the sign-out button. Signed-out pages pass no `me` and get a bare header.
 */
export function Layout(props: {
  title: string;
  me?: MeResponse | undefined;
  path?: string;
  narrow?: boolean;
  children?: Child;
}) {
  const { me } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · Lumina`}</title>
        <style dangerouslySetInnerHTML={{ __html: dashboardCss }} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">
              Lumina
            </a>
            {me && (
              <nav aria-label="Dashboard">
                <ul>
                  {navItems.map((item) => (
                    <li>
                      <a href={item.href} aria-current={props.path === item.href ? 'page' : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            <span class="spacer" />
            {me && me.teams.length > 1 && (
              <form class="inline" method="post" action="/switch-team">
                <label>
                  <span class="visually-hidden">Active team</span>
                  <select name="teamId">
                    {me.teams.map((team) => (
                      <option value={team.id} selected={team.id === me.activeTeamId}>
                        {team.name}
                      </option>
                    ))}
                  </select>
                </label>
                <input type="hidden" name="next" value={props.path ?? '/'} />
                <button type="submit" class="secondary">
                  Switch team
                </button>
              </form>
            )}
            {me && (
              <form class="inline" method="post" action="/sign-out">
                <button type="submit" class="link" title={`Signed in as ${me.user.email}`}>
                  Sign out
                </button>
              </form>
            )}
          </div>
        </header>
        <main id="main" class={props.narrow ? 'narrow' : undefined}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The team the page acts for, from `describeMe`. */
export function activeTeamOf(me: MeResponse) {
  const team = me.teams.find((t) => t.id === me.activeTeamId);
  if (!team) throw new Error('the active team is not among the person’s teams');
  return team;
}

export const canManage = (role: string): boolean => role === 'owner' || role === 'admin';

/** Dates shown to people: the UTC date and minute, compact and unambiguous without client-side formatting. */
export const formatTime = (iso: string | null): string =>
  iso === null ? '—' : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** A point in time in a table cell: machine-readable, never wrapped. */
export function Time(props: { iso: string | null }) {
  return props.iso === null ? <span>—</span> : <time datetime={props.iso}>{formatTime(props.iso)}</time>;
}

export function Notice(props: { children?: Child }) {
  return (
    <p class="notice" role="status">
      {props.children}
    </p>
  );
}

export function Alert(props: { children?: Child }) {
  return (
    <p class="alert" role="alert">
      {props.children}
    </p>
  );
}
