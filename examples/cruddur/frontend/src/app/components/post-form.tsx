import { useId, useRef, useState, type FormEvent } from 'react';

import { ApiError, type Activity, type ApiClient, type FieldErrors } from '../api/index.ts';

/** The backend's limit; the count here only informs, the backend decides. */
export const MESSAGE_MAX_LENGTH = 280;

export interface PostFormProps {
  readonly api: ApiClient;
  readonly onPosted: (activity: Activity) => void;
}

/**
 * Validation is the backend's job: the form shows the character count and marks an
 * over-long message, but always submits and shows what the backend says next to the field.
 */
export function PostForm({ api, onPosted }: PostFormProps) {
  const id = useId();
  const ids = {
    handle: `${id}-handle`,
    handleHint: `${id}-handle-hint`,
    handleError: `${id}-handle-error`,
    message: `${id}-message`,
    messageCount: `${id}-message-count`,
    messageError: `${id}-message-error`,
  };
  const handleRef = useRef<HTMLInputElement>(null);
  const messageRef = useRef<HTMLTextAreaElement>(null);

  const [handle, setHandle] = useState('');
  const [message, setMessage] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [posted, setPosted] = useState(false);

  // Counted as the backend counts: after trimming.
  const length = message.trim().length;
  const overLimit = length > MESSAGE_MAX_LENGTH;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setFieldErrors({});
    setFormError(null);
    setPosted(false);
    try {
      const activity = await api.postActivity({ handle: handle.trim(), message });
      setMessage('');
      setPosted(true);
      onPosted(activity);
      messageRef.current?.focus();
    } catch (error) {
      const fields = error instanceof ApiError ? error.fields : {};
      setFieldErrors(fields);
      if (!fields.handle && !fields.message) {
        setFormError(error instanceof Error ? error.message : String(error));
      }
      if (fields.handle) handleRef.current?.focus();
      else if (fields.message) messageRef.current?.focus();
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <section className="card composer" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Post an activity</h2>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={ids.handle}>Handle</label>
          <input
            ref={handleRef}
            id={ids.handle}
            name="handle"
            type="text"
            value={handle}
            onChange={(event) => setHandle(event.target.value)}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            aria-invalid={fieldErrors.handle ? true : undefined}
            aria-describedby={`${ids.handleHint} ${ids.handleError}`}
          />
          <p id={ids.handleHint} className="field__hint">
            3–20 characters: lowercase letters, digits and _
          </p>
          <p id={ids.handleError} className="field__error" aria-live="polite">
            {fieldErrors.handle}
          </p>
        </div>

        <div className="field">
          <div className="field__label-row">
            <label htmlFor={ids.message}>Message</label>
            <span
              id={ids.messageCount}
              className={overLimit ? 'field__count field__count--over' : 'field__count'}
            >
              {length} / {MESSAGE_MAX_LENGTH}
            </span>
          </div>
          <textarea
            ref={messageRef}
            id={ids.message}
            name="message"
            rows={3}
            value={message}
            onChange={(event) => {
              setMessage(event.target.value);
              setPosted(false);
            }}
            required
            aria-invalid={fieldErrors.message || overLimit ? true : undefined}
            aria-describedby={`${ids.messageCount} ${ids.messageError}`}
          />
          <p id={ids.messageError} className="field__error" aria-live="polite">
            {fieldErrors.message}
          </p>
        </div>

        <div className="composer__actions">
          <p className="composer__status" role="status">
            {posted ? 'Posted.' : ''}
          </p>
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? 'Posting…' : 'Post'}
          </button>
        </div>
        <p className="form__error" role="alert">
          {formError}
        </p>
      </form>
    </section>
  );
}
