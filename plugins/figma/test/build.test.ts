import { describe, expect, it } from 'vitest';
import { buildPlugin } from './support/build-plugin.ts';

describe('the plugin build', () => {
  it('writes a manifest Figma imports, with the configured API origin as the one allowed domain', () => {
    const { manifest } = buildPlugin('https://api.lumina.example/some/path');
    expect(manifest).toMatchObject({
      api: '1.0.0',
      main: 'code.js',
      ui: 'ui.html',
      editorType: ['figma'],
      documentAccess: 'dynamic-page',
      networkAccess: {
        allowedDomains: ['https://api.lumina.example'],
        devAllowedDomains: ['http://localhost:8787', 'http://127.0.0.1:8787'],
        reasoning: expect.stringMatching(/\S/),
      },
    });
    const commands = (manifest as { menu: Array<{ command?: string }> }).menu.map((item) => item.command);
    expect(commands).toEqual(['open', undefined, 'remove-background', 'upscale-2', 'upscale-4']);
  });

  it('puts the UI in one self-contained HTML file: no external scripts or styles', () => {
    const { uiHtml, codeJs } = buildPlugin('https://api.lumina.example');
    expect(uiHtml).not.toMatch(/<script[^>]+src=/i);
    expect(uiHtml).not.toMatch(/<link[^>]+stylesheet/i);
    expect(uiHtml).toMatch(/<style>[^<]*--figma-color-bg/);
    expect(uiHtml).toContain('https://api.lumina.example');
    expect(codeJs.length).toBeGreaterThan(0);
    expect(codeJs).not.toMatch(/\bimport\s*\(|\brequire\(/);
  });
});
