import { render } from 'preact';
import { studioClient } from './studio-api.ts';
import { StudioApp } from './studio-app.tsx';

// The page renders this element with the active team's id; the script only runs where it exists.
const root = document.getElementById('studio');
const teamId = root?.dataset.team;
if (root && teamId) {
  root.textContent = '';
  render(<StudioApp client={studioClient(teamId)} teamId={teamId} />, root);
}
