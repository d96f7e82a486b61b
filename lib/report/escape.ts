// Text that reaches a report came from the cluster or the user, so every renderer
// passes it through one of these before it touches markup.

// CSI (colours, cursor moves), OSC (titles, hyperlinks) and the short two-byte forms.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

// Controls other than tab/newline/CR, DEL, and the C1 range.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Makes stray bytes visible instead of silently dropping them: a report reader should see
 * that a pod name contained \u0001, so C0 controls become their Unicode "control picture"
 * (U+2401 for \u0001) and lone surrogates become U+FFFD.
 */
export function visible(text: string): string {
  return stripAnsi(text)
    .replace(CONTROL, (c) => {
      const code = c.charCodeAt(0);
      if (code < 0x20) return String.fromCharCode(0x2400 + code);
      return code === 0x7f ? '\u2421' : '\ufffd';
    })
    .toWellFormed();
}

/**
 * For a terminal: escape sequences removed, every other control shown as its control
 * picture (see visible). Newline and tab stay; a carriage return not ending a line becomes
 * U+240D, since it lets text overwrite what the reader already saw.
 */
export function forTerminal(text: string): string {
  return visible(text.replace(/\r\n/g, '\n').replace(/\r/g, '\u240d'));
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in HTML text and in quoted attribute values (both quote styles). */
export function escapeHtml(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  return visible(String(value)).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

// Everything outside XML 1.0's Char production (with the u flag lone surrogates match
// too), plus DEL and C1, which XML allows but discourages and a terminal may act on.
const XML_INVALID = /[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** ANSI sequences and characters XML 1.0 cannot carry at all (not even as &#x1;). */
export function xmlClean(text: string): string {
  return stripAnsi(text).replace(XML_INVALID, '');
}

/**
 * For XML attribute values. Tab/newline/CR become character references because a parser
 * would otherwise normalise them to spaces and a multi-line message would collapse.
 */
export function xmlAttr(value: string | number): string {
  return xmlClean(String(value)).replace(/[&<>"'\t\n\r]/g, (c) => {
    switch (c) {
      case '\t':
        return '&#9;';
      case '\n':
        return '&#10;';
      case '\r':
        return '&#13;';
      default:
        return HTML_ENTITIES[c] ?? c;
    }
  });
}

/** A CDATA section that survives `]]>` in its content by splitting it across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${xmlClean(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * JSON inside <script type="application/json">. Escaping `<` means neither `</script>` nor
 * `<!--` can appear, so the data can never end the element or switch the parser's state;
 * U+2028/9 are escaped for consumers that eval the text as JavaScript.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
