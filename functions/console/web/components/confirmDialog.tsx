import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

type ConfirmDialogProps = {
  readonly open: boolean;
  readonly title: string;
  readonly children: ComponentChildren;
  /** The confirming button's text, e.g. `Delete 12 letters`. */
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
};

/**
 * A native modal <dialog>: the browser traps focus inside it and Escape closes it (as Cancel).
 * Cancel has the focus when it opens, so Enter on a dialog opened by mistake deletes nothing.
 */
function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) {
      element.showModal();
      cancel.current?.focus();
    }
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div class="dialog-body">{children}</div>
      <div class="actions">
        <button type="button" ref={cancel} autofocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

export { ConfirmDialog };
