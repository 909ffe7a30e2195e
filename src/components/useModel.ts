import type { ISignal } from '@lumino/signaling';
import React from 'react';

/**
 * A model's state, read again by `read` whenever `signal` fires (and once after subscribing: the
 * model may have changed between the first render and the subscription).
 *
 * @param signal - the model's change signal.
 * @param read - reads the value to render from the model.
 * @returns the latest value `read` gave.
 */
export function useModelState<T>(
  signal: ISignal<unknown, unknown>,
  read: () => T
): T {
  const [value, setValue] = React.useState<T>(read);
  const readRef = React.useRef(read);
  readRef.current = read;
  React.useEffect(() => {
    const onChange = () => setValue(readRef.current());
    signal.connect(onChange);
    onChange();
    return () => {
      signal.disconnect(onChange);
    };
  }, [signal]);
  return value;
}
