import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { ITarget } from '../tokens';

/**
 * SageMaker domain ids as the server accepts them (sagemaker/patterns.py `DOMAIN_ID`: the
 * SageMaker API's DomainId pattern). tests/test_patterns.py keeps the two equal.
 */
export const DOMAIN_ID_PATTERN = /^d-(-*[a-z0-9]){1,61}$/;
/**
 * AWS Region names as the server accepts them (sagemaker/patterns.py `REGION_RE`: any
 * partition's regionRegex of botocore's partitions.json). tests/test_patterns.py keeps the two
 * equal.
 */
export const REGION_PATTERN =
  /^(?:(?:(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+)|(?:cn-\w+-\d+)|(?:eusc-(de)-\w+-\d+)|(?:us-iso-\w+-\d+)|(?:us-isob-\w+-\d+)|(?:eu-isoe-\w+-\d+)|(?:us-isof-\w+-\d+)|(?:us-gov-\w+-\d+))$/;

/**
 * Check the form's values before sending them.
 *
 * @returns a translated message per invalid field (empty when valid). Region and profile may be
 *   blank (the server then uses its configuration / boto3's chain).
 */
export function validateTarget(
  target: ITarget,
  trans: TranslationBundle
): Partial<Record<keyof ITarget, string>> {
  const errors: Partial<Record<keyof ITarget, string>> = {};
  const domain = (target.domain_id ?? '').trim();
  const region = (target.region ?? '').trim();
  const profile = target.profile ?? '';
  if (!DOMAIN_ID_PATTERN.test(domain)) {
    errors.domain_id = trans.__('A domain id looks like d-xxxxxxxxxxxx.');
  }
  if (region && !REGION_PATTERN.test(region)) {
    errors.region = trans.__('A Region looks like us-east-1.');
  }
  // Printable ASCII only, as the server's PROFILE_RE (control characters are refused).
  if (profile.length > 128 || !/^[\x20-\x7e]*$/.test(profile)) {
    errors.profile = trans.__(
      'A profile name is printable text, at most 128 characters.'
    );
  }
  return errors;
}

/**
 * "Not in Studio: enter a domain" form (domain id, Region, optional AWS profile).
 *
 * `focusOnMount`: move the focus to the first field when the form appears (it was opened by the
 * user); `onCancel`: called on Escape inside the form (the opener then takes the focus back).
 */
export function DomainForm(props: {
  initial: ITarget;
  detail?: string | null;
  error?: string | null;
  /** The form's heading: "Change domain" when a domain is already known. */
  heading?: string;
  trans: TranslationBundle;
  onSubmit: (target: ITarget) => void;
  focusOnMount?: boolean;
  onCancel?: () => void;
}): JSX.Element {
  const { trans } = props;
  const formRef = React.useRef<HTMLFormElement>(null);
  React.useEffect(() => {
    if (props.focusOnMount) {
      formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
    }
  }, []); // only when the form appears
  const [target, setTarget] = React.useState<ITarget>(props.initial);
  const [errors, setErrors] = React.useState<
    Partial<Record<keyof ITarget, string>>
  >({});
  const field = (
    key: keyof ITarget,
    label: string,
    placeholder: string,
    required: boolean
  ) => (
    <div className="jp-SMIso-field">
      <label htmlFor={`jp-SMIso-form-${key}`}>{label}</label>
      <input
        id={`jp-SMIso-form-${key}`}
        className="jp-mod-styled"
        value={target[key] ?? ''}
        placeholder={placeholder}
        required={required}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={
          errors[key] ? `jp-SMIso-form-${key}-error` : undefined
        }
        onChange={e => setTarget({ ...target, [key]: e.target.value })}
      />
      {errors[key] && (
        <div
          id={`jp-SMIso-form-${key}-error`}
          className="jp-SMIso-field-error"
          role="alert"
        >
          {errors[key]}
        </div>
      )}
    </div>
  );
  return (
    <form
      ref={formRef}
      className="jp-SMIso-form"
      aria-label={trans.__('Domain to check')}
      onKeyDown={e => {
        if (e.key === 'Escape' && props.onCancel) {
          e.preventDefault();
          e.stopPropagation();
          props.onCancel();
        }
      }}
      onSubmit={e => {
        e.preventDefault();
        const found = validateTarget(target, trans);
        setErrors(found);
        if (Object.keys(found).length === 0) {
          props.onSubmit(target);
        }
      }}
    >
      <h3>{props.heading ?? trans.__('Not in Studio: enter a domain')}</h3>
      {props.detail && <p className="jp-SMIso-meta">{props.detail}</p>}
      {field('domain_id', trans.__('Domain id'), 'd-xxxxxxxxxxxx', true)}
      {field('region', trans.__('Region'), 'us-east-1', false)}
      {field('profile', trans.__('AWS profile (optional)'), 'default', false)}
      {props.error && (
        <p className="jp-SMIso-field-error" role="alert">
          {props.error}
        </p>
      )}
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept jp-SMIso-button"
      >
        {trans.__('Check isolation')}
      </button>
    </form>
  );
}
