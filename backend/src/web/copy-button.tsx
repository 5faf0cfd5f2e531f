/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */

/**
 * Progressive enhancement for `data-copy="<id>"` buttons: shown only where a script can use the clipboard, they
 * copy the named field's value (or a `<pre>`'s text). Without a script the field is still there to select.
 */
const copyScript = `
for (const button of document.querySelectorAll('[data-copy]')) {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText('value' in field ? field.value : field.textContent);
    button.textContent = 'Copied';
  });
}`;

/** A Copy button for the element with id `target`; hidden until `CopyScript` finds a clipboard. */
export function CopyButton(props: { target: string; label?: string }) {
  return (
    <button type="button" class="secondary" data-copy={props.target} aria-label={props.label} hidden>
      Copy
    </button>
  );
}

/** Once per page, after its Copy buttons. */
export function CopyScript() {
  return <script dangerouslySetInnerHTML={{ __html: copyScript }} />;
}
