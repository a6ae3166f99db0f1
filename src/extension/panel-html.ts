/**
 * The agent panel's HTML (pure: no `vscode` import, unit-tested under plain Node). The caller
 * (agent-panel.ts) turns the extension's files into webview URIs.
 */
import { randomBytes } from 'node:crypto';

/** What the panel page links to, as webview URIs (`webview.asWebviewUri(...)`). */
export interface PanelPageAssets {
  /** URI of dist/webview.js. */
  script: string;
  /** URI of media/panel.css. */
  css: string;
  /** `webview.cspSource`: the origin the webview serves extension files from. */
  cspSource: string;
}

/** A nonce for the CSP: 16 random bytes, base64 (crypto.randomBytes, never Math.random). */
export function nonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * A webview page: CSP `default-src 'none'`, one script allowed by `nonceValue`, styles, images and
 * fonts from the extension only, the stylesheet and script of `assets`, and `bodyHtml` (trusted
 * markup of our own) inside `<main id="app">`.
 * @param title the page title
 * @param nonceValue the script nonce (default a fresh {@link nonce})
 */
export function webviewPageHtml(assets: PanelPageAssets, title: string, bodyHtml: string, nonceValue: string = nonce()): string {
  const src = assets.cspSource;
  const csp = [`default-src 'none'`, `style-src ${src}`, `script-src 'nonce-${nonceValue}'`, `img-src ${src} data:`, `font-src ${src}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${assets.css}">
<title>${title}</title>
</head>
<body>
<main id="app" aria-live="polite">${bodyHtml}</main>
<script nonce="${nonceValue}" src="${assets.script}"></script>
</body>
</html>`;
}

/**
 * The agent panel's HTML ({@link webviewPageHtml} with dist/webview.js and media/panel.css).
 * @param nonceValue the script nonce (default a fresh {@link nonce})
 */
export function panelHtml(assets: PanelPageAssets, nonceValue: string = nonce()): string {
  return webviewPageHtml(assets, 'HIP Porter agent', '', nonceValue);
}
