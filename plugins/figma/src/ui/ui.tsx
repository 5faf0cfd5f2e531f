import { render } from 'preact';
import { App } from './app.tsx';
import '@create-figma-plugin/ui/css/base.css';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App apiOrigin={__API_ORIGIN__} />, root);
