// The document head both pages share (the run report and the history): a Content-Security-
// Policy that allows nothing but the page's own inline style and script, pinned by hash, so a
// report opened from file:// or a CI artifact store can load nothing and run nothing else.
import { createHash } from 'node:crypto';
import { escapeHtml as h } from './escape.ts';
import { SCRIPT } from './html-style.ts';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** From the doctype to `</head>`; `title` is escaped here. */
export function pageHead(title: string, css: string): string {
  const csp = [
    "default-src 'none'",
    `style-src ${sha256(css)}`,
    `script-src ${sha256(SCRIPT)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${css}</style>
</head>`;
}
