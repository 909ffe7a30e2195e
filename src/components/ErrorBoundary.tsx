import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

/** Props of `ErrorBoundary`. */
export interface IErrorBoundaryProps {
  trans: TranslationBundle;
  children?: React.ReactNode;
}

interface IErrorBoundaryState {
  error: Error | null;
}

/**
 * Catches rendering errors of the panel (e.g. a report shape this version does not know) and
 * shows the message instead of a blank sidebar; "Try again" re-renders.
 */
export class ErrorBoundary extends React.Component<
  IErrorBoundaryProps,
  IErrorBoundaryState
> {
  state: IErrorBoundaryState = { error: null };

  static getDerivedStateFromError(error: Error): IErrorBoundaryState {
    return { error };
  }

  componentDidCatch(error: Error): void {
    console.error('sagemaker-isolation panel failed to render', error);
  }

  render(): React.ReactNode {
    const { trans } = this.props;
    if (this.state.error) {
      return (
        <div className="jp-SMIso-state jp-SMIso-state-error" role="alert">
          <h3>{trans.__('The isolation panel failed to render')}</h3>
          <p>{this.state.error.message}</p>
          <button
            className="jp-mod-styled jp-SMIso-button"
            onClick={() => this.setState({ error: null })}
          >
            {trans.__('Try again')}
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}
