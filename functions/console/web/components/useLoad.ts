import { useCallback, useEffect, useState } from 'preact/hooks';
import { onTokenChange } from '../auth.ts';
import { errorText } from '../api.ts';

type Load<T> = {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
};

/**
 * Runs `load` when `key` changes, when asked (`reload`) and after every sign-in or sign-out (a read
 * refused for want of a token works once one is entered). A stale answer (the key moved on) is dropped.
 */
function useLoad<T>(load: () => Promise<T>, key: string): Load<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  useEffect(() => onTokenChange(reload), [reload]);
  // `load` is a new closure every render: `key` and `round` say when to run it again.
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(errorText(failure));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  return { data, error, loading, reload };
}

export { useLoad };
