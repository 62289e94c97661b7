/**
 * The frame shared by the consent page and the error page: readable on a
 * phone and a desktop, light and dark, with its stylesheet inline and no
 * external resource of any kind (no fonts, images or scripts to load).
 *
 * The stylesheet goes in verbatim and is allowed by its SHA-256 hash in the
 * Content-Security-Policy, so even an injected <style> or <script> would not
 * apply.
 */
import { createHash } from 'node:crypto';
import { html, SafeHtml } from './html.ts';

const STYLE = `
:root { color-scheme: light dark; --fg: #1d1d1f; --muted: #5f6368; --bg: #f4f5f7; --card: #fff; --line: #dadce0;
  --accent: #1a5fd0; --accent-fg: #fff; --warn-bg: #fff4e5; --warn-fg: #7a4100; --bad: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --muted: #9aa0a6; --bg: #131417; --card: #1f2023;
  --line: #3c4043; --accent: #8ab4f8; --accent-fg: #0b1b33; --warn-bg: #3a2a12; --warn-fg: #f6c27a; --bad: #f28b82; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 34rem; margin: 2rem auto; padding: 1.75rem; background: var(--card); border: 1px solid var(--line); border-radius: 12px; }
@media (max-width: 36rem) { main { margin: 0; border-radius: 0; border-width: 0 0 1px; } }
.server { margin: 0 0 1rem; color: var(--muted); font-size: .875rem; }
h1 { margin: 0 0 .75rem; font-size: 1.375rem; line-height: 1.3; }
h2 { margin: 1.5rem 0 .5rem; font-size: 1rem; }
.client-name { color: var(--accent); overflow-wrap: anywhere; }
p { margin: .5rem 0; }
code, .value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .875rem; overflow-wrap: anywhere; }
ul.scopes { list-style: none; margin: 0; padding: 0; }
ul.scopes li { padding: .625rem .75rem; border: 1px solid var(--line); border-radius: 8px; margin-bottom: .5rem; }
ul.scopes li.refused { background: var(--warn-bg); color: var(--warn-fg); }
ul.scopes li.new { border-color: var(--accent); }
.mark { display: block; font-size: .875rem; font-weight: 600; color: var(--muted); }
li.new .mark { color: var(--accent); }
.scope-name { display: block; font-weight: 600; }
.verdict { display: block; font-weight: 600; font-size: .875rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1.25rem 0; font-size: .875rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.note { font-size: .875rem; color: var(--muted); }
.actions { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.5rem; flex-wrap: wrap; }
button { font: inherit; font-weight: 600; padding: .625rem 1.5rem; border-radius: 8px; border: 1px solid var(--line);
  background: var(--card); color: var(--fg); cursor: pointer; min-width: 7rem; }
button[value="approve"] { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error-code { color: var(--bad); }
`;

/** CSP source expression that allows exactly the stylesheet above (CSP Level 3 hash-source). */
export const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

export function renderPage(title: string, issuerHost: string, body: SafeHtml): string {
    return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
<p class="server">Demo authorization server at <span class="value">${issuerHost}</span></p>
${body}
</main>
</body>
</html>
`.markup;
}
