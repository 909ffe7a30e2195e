import React from 'react';

/**
 * An access level from the catalog as one chip per level: "Tagging, Write" is two levels of one
 * action, not "Tagging" and "Write 2".
 *
 * @param props.level - the access level as the data writes it.
 * @param props.label - the words for one level (translations); default: the level itself.
 */
export function AccessLevelChips(props: {
  level: string;
  label?: (level: string) => string;
}): JSX.Element {
  const label = props.label ?? ((l: string) => l);
  return (
    <>
      {props.level
        .split(',')
        .map(l => l.trim())
        .filter(Boolean)
        .map(l => (
          <span key={l} className="jp-SMIso-tag jp-SMIso-level">
            {label(l)}
          </span>
        ))}
    </>
  );
}
