import addOnUISdk from 'https://new.express.adobe.com/static/add-on-sdk/sdk.js';
import { render } from 'preact';
import './spectrum.ts';
import { App } from './app.tsx';
import { expressHost } from './express-host.ts';

// The panel's entry: Express loads index.html in a sandboxed iframe and provides the UI SDK by URL.
await addOnUISdk.ready;
const root = document.getElementById('root');
if (root) render(<App host={expressHost(addOnUISdk)} apiOrigin={__LUMINA_API_ORIGIN__} />, root);
