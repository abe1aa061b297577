// The region a page's errors appear in. It is always in the page (empty when all is well), so a
// screen reader announces a message as soon as it is set.
type AlertProps = { readonly message: string | undefined; readonly label?: string };

function Alert({ message, label }: AlertProps) {
  return (
    <div role="alert" class={message === undefined ? 'alert alert-empty' : 'alert'} aria-label={label}>
      {message === undefined ? null : (
        <p>
          <span aria-hidden="true">⚠ </span>
          {message}
        </p>
      )}
    </div>
  );
}

export { Alert };
