import type { ISignal } from '@lumino/signaling';
import React from 'react';

/**
 * A model's state, re-rendering on its `stateChanged`. Unlike `UseSignal` with `initialArgs`, it
 * reads the state again once subscribed: a change between the first render and the subscription
 * is not lost.
 */
export function useModelState<S>(model: {
  readonly state: S;
  readonly stateChanged: ISignal<any, S>;
}): S {
  const [state, setState] = React.useState<S>(model.state);
  React.useEffect(() => {
    const onChange = (_: unknown, next: S) => setState(next);
    model.stateChanged.connect(onChange);
    setState(model.state);
    return () => {
      model.stateChanged.disconnect(onChange);
    };
  }, [model]);
  return state;
}
