import { useState } from 'preact/hooks';

type CopyButtonProps = {
  /** What is copied, for the button's accessible name: `Copy <what>`. */
  readonly what: string;
  readonly value: string;
};

/** Copies `value` to the clipboard; says "Copied" for a moment, or why it could not. */
function CopyButton({ what, value }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      // Clipboard access needs a secure context and permission; the value stays selectable on the page.
      setState('failed');
    }
    setTimeout(() => setState('idle'), 1500);
  };
  return (
    <button type="button" class="copy" aria-label={`Copy ${what}`} onClick={copy}>
      {state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}

export { CopyButton };
