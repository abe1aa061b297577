import { useEffect, useRef, useState } from 'preact/hooks';

type TokenDialogProps = {
  readonly open: boolean;
  /** Why it opened (a write, a refused read), said above the field. */
  readonly reason: string | undefined;
  readonly onSubmit: (token: string) => void;
  readonly onCancel: () => void;
};

/** The sign-in dialog: one labelled password field for the registry token. */
function TokenDialog({ open, reason, onSubmit, onCancel }: TokenDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState('');
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) {
      setValue('');
      element.showModal();
      input.current?.focus();
    }
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      class="sign-in"
      aria-labelledby="sign-in-title"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim() !== '') onSubmit(value.trim());
        }}
      >
        <h2 id="sign-in-title">Sign in</h2>
        {reason === undefined ? null : <p class="hint">{reason}</p>}
        <p class="hint">The token stays in this page's memory only: a reload forgets it.</p>
        <label for="registry-token">Registry token</label>
        <input
          id="registry-token"
          ref={input}
          type="password"
          autocomplete="off"
          required
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
        <div class="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={value.trim() === ''}>
            Sign in
          </button>
        </div>
      </form>
    </dialog>
  );
}

export { TokenDialog };
