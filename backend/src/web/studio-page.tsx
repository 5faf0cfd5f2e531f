/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { Layout } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { studioBundle } from './studio-bundle.ts';
import { studioCss } from './studio-css.ts';
import { meOf, signedIn } from './web-session.ts';

/**
 * `/studio`: the page shell with the active team, and the Preact client that works on images through the
 * public API with this browser session. Without JavaScript the page says what it needs.
 */
export const studioPage = new Hono<AppEnv>()
  .get('/studio', signedIn, async (c) => {
    const me = await meOf(c);
    return renderPage(
      c,
      <Layout title="Studio" me={me} path="/studio">
        <style dangerouslySetInnerHTML={{ __html: studioCss }} />
        <div id="studio" data-team={me.activeTeamId}>
          <h1>Studio</h1>
          <p class="muted">The studio needs JavaScript to upload and edit images.</p>
        </div>
        <script type="module" src="/studio/app.js" />
      </Layout>,
    );
  })
  .get('/studio/app.js', async (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'no-cache');
    return c.body(await studioBundle());
  });
