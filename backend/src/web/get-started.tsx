/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { CopyButton, CopyScript } from './copy-button.tsx';
import { curlExample } from './keys-page.tsx';

/**
 * The dashboard's first-visit panel, shown while the team has no tasks: the three ways in (the studio, a
 * plugin, the API), each with the one step that starts it.
 */
export function GetStarted(props: { baseUrl: string; managesKeys: boolean }) {
  return (
    <section class="card get-started" aria-labelledby="get-started" data-testid="get-started">
      <h2 id="get-started">Get started</h2>
      <ol>
        <li>
          <h3>Try it in the studio</h3>
          <p>Drop an image, remove its background, upscale it or edit it by instruction, and download the result.</p>
          <a class="button" href="/studio">
            Open the studio
          </a>
        </li>
        <li>
          <h3>Pair a plugin</h3>
          <p>
            Open Lumina in Figma (Plugins menu) or in Adobe Express (Add-ons) and click Sign in. A tab opens here with
            the plugin’s code: check it matches and approve. You can also type the code at{' '}
            <a href="/pair">{props.baseUrl}/pair</a>.
          </p>
        </li>
        <li>
          <h3>Call the API</h3>
          {props.managesKeys ? (
            <>
              <p>
                <a href="/keys">Create an API key</a>, put it in <code>LUMINA_KEY</code>, and remove the background of a
                local photo.png:
              </p>
              <div class="snippet">
                <pre id="get-started-curl" data-testid="get-started-curl">
                  {curlExample(props.baseUrl, '$LUMINA_KEY')}
                </pre>
                <CopyButton target="get-started-curl" label="Copy the curl command" />
              </div>
              <CopyScript />
            </>
          ) : (
            <p>API keys for this team are made by its owners and admins; ask one of them for a key.</p>
          )}
          <p>
            Every operation, its options and more examples are in the <a href="/api/v1/docs">API docs</a>.
          </p>
        </li>
      </ol>
    </section>
  );
}
