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
    expect(commands).toEqual(['open', undefined, 'remove-background', 'upscale', 'magic-edit']);
  });

  it('allows every origin a result can come from: the API, PUBLIC_BASE_URL and the storage or edge origin', () => {
    const { manifest } = buildPlugin('https://api.lumina.example', [
      '--public-base-url',
      'https://lumina.example/app',
      '--result-origins',
      'https://results.r2.example/bucket, https://edge.lumina.example',
    ]);
    expect((manifest as { networkAccess: { allowedDomains: string[] } }).networkAccess.allowedDomains).toEqual([
      'https://api.lumina.example',
      'https://lumina.example',
      'https://results.r2.example',
      'https://edge.lumina.example',
    ]);
  });

  it('uses the id Figma issued where given, and refuses one Figma could not have issued', () => {
    expect(buildPlugin('https://api.lumina.example', ['--plugin-id', '1234567890123456789']).manifest).toMatchObject({
      id: '1234567890123456789',
    });
    const placeholder = buildPlugin('https://api.lumina.example');
    expect(placeholder.log).toMatch(/set LUMINA_FIGMA_PLUGIN_ID before publishing/);
    expect(() => buildPlugin('https://api.lumina.example', ['--plugin-id', 'lumina-ai-studio'])).toThrow();
  });

  it('offers quick actions that take their input: Upscale its scale, Magic edit its instruction', () => {
    const { manifest } = buildPlugin('https://api.lumina.example');
    const menu = (manifest as { menu: Array<{ command?: string; parameters?: Array<{ key: string }> }> }).menu;
    expect(menu.find((item) => item.command === 'upscale')?.parameters?.map((p) => p.key)).toEqual(['scale']);
    expect(menu.find((item) => item.command === 'magic-edit')?.parameters).toEqual([
      expect.objectContaining({ key: 'prompt', allowFreeform: true }),
    ]);
    expect((manifest as { relaunchButtons: Array<{ command: string }> }).relaunchButtons.map((b) => b.command)).toEqual(
      ['open', 'repeat'],
    );
  });

  it('keeps code.js within 120 KB and ui.html within 250 KB, and prints both sizes', () => {
    const { codeJs, uiHtml, log } = buildPlugin('https://api.lumina.example');
    expect(Buffer.byteLength(codeJs)).toBeLessThanOrEqual(120 * 1024);
    expect(Buffer.byteLength(uiHtml)).toBeLessThanOrEqual(250 * 1024);
    expect(log).toMatch(/code\.js\s+\d+\.\d KB/);
    expect(log).toMatch(/ui\.html\s+\d+\.\d KB/);
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
