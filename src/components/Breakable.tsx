import React from 'react';

/**
 * Long names (ARNs, action names, statement labels) with line-break opportunities after `/`,
 * `:` and `-` (`<wbr>`, which copying leaves out), so they wrap there and not mid-word.
 *
 * @param props.text - the text to show.
 */
export function Breakable(props: { text: string }): JSX.Element {
  const parts: string[] = [];
  let current = '';
  for (const ch of props.text) {
    current += ch;
    if (ch === '/' || ch === ':' || ch === '-') {
      parts.push(current);
      current = '';
    }
  }
  if (current || parts.length === 0) {
    parts.push(current);
  }
  return (
    <>
      {parts.map((part, i) => (
        <React.Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </React.Fragment>
      ))}
    </>
  );
}
