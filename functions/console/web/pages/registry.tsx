import { useEffect, useMemo, useState } from 'preact/hooks';
import type {
  CompatibilityView,
  MessageSummary,
  MessageWrittenView,
  RegisteredView,
  RegistryView,
  SchemaSummary,
  SchemaVersionView,
} from '../../../../shared/console/views.ts';
import { apiGet, apiPost, apiWrite, errorText } from '../api.ts';
import { Alert } from '../components/alert.tsx';
import { useLoad } from '../components/useLoad.ts';
import { diffModel, diffPrefix, withContext } from '../diffModel.ts';
import { formatDateTime } from '../format.ts';
import { definitionText, newMessageTemplate, parseDefinition } from '../messageTemplate.ts';

type SchemaRef = { readonly group: string; readonly schema: string };
type MessageRef = { readonly group: string; readonly message: string };

/** Version texts by xid: versions do not change under the page, and the diff reads two at a time. */
const versionTexts = new Map<string, Promise<SchemaVersionView>>();

function loadVersion(group: string, schema: string, version: string): Promise<SchemaVersionView> {
  const key = `/schemagroups/${group}/schemas/${schema}/versions/${version}`;
  let pending = versionTexts.get(key);
  if (pending === undefined) {
    pending = apiGet<SchemaVersionView>('registry/version', { group, schema, version });
    // A failed read is not remembered: the next selection asks again.
    pending.catch(() => versionTexts.delete(key));
    versionTexts.set(key, pending);
  }
  return pending;
}

function findSchema(registry: RegistryView | undefined, ref: SchemaRef | undefined): SchemaSummary | undefined {
  if (registry === undefined || ref === undefined) return undefined;
  return registry.schemaGroups.find((group) => group.groupId === ref.group)?.schemas.find((schema) => schema.schemaId === ref.schema);
}

function findMessage(registry: RegistryView | undefined, ref: MessageRef | undefined): MessageSummary | undefined {
  if (registry === undefined || ref === undefined) return undefined;
  return registry.messageGroups.find((group) => group.groupId === ref.group)?.messages.find((message) => message.messageId === ref.message);
}

function Registry() {
  const { data: registry, error, reload } = useLoad(() => apiGet<RegistryView>('registry'), 'registry');
  const [schemaRef, setSchemaRef] = useState<SchemaRef | undefined>(undefined);
  const [versionId, setVersionId] = useState<string | undefined>(undefined);
  const [messageRef, setMessageRef] = useState<MessageRef | undefined>(undefined);
  const schema = findSchema(registry, schemaRef);
  const message = findMessage(registry, messageRef);

  const selectVersion = (group: string, schemaId: string, version: string) => {
    setSchemaRef({ group, schema: schemaId });
    setVersionId(version);
  };

  return (
    <section class="page registry" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Registry
      </h1>
      <Alert message={error} />
      {registry === undefined ? (
        <p class="loading">{error === undefined ? 'Loading the registry…' : ''}</p>
      ) : (
        <div class="split">
          <nav class="tree" aria-label="Registry contents">
            <h2>Schema groups</h2>
            <ul>
              {registry.schemaGroups.map((group) => (
                <li key={group.groupId}>
                  <span class="group">{group.groupId}</span>
                  <ul>
                    {group.schemas.map((item) => (
                      <li key={item.schemaId}>
                        <span class="schema-name">{item.schemaId}</span> <span class="badge">{item.compatibility}</span>
                        <ul class="versions">
                          {item.versions.map((version) => {
                            const current = schemaRef?.group === group.groupId && schemaRef.schema === item.schemaId && versionId === version.versionId;
                            return (
                              <li key={version.versionId}>
                                <button
                                  type="button"
                                  class="link"
                                  aria-pressed={current}
                                  aria-label={`${group.groupId}/${item.schemaId} version ${version.versionId}${version.isDefault ? ' (default)' : ''}`}
                                  onClick={() => selectVersion(group.groupId, item.schemaId, version.versionId)}
                                >
                                  v{version.versionId}
                                </button>
                                {version.isDefault ? <span class="badge default">default</span> : null}
                              </li>
                            );
                          })}
                        </ul>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
            <h2>Message groups</h2>
            <ul>
              {registry.messageGroups.map((group) => (
                <li key={group.groupId}>
                  <span class="group">{group.groupId}</span>
                  <ul>
                    {group.messages.map((item) => (
                      <li key={item.messageId}>
                        <button
                          type="button"
                          class="link"
                          aria-pressed={messageRef?.group === group.groupId && messageRef.message === item.messageId}
                          onClick={() => setMessageRef({ group: group.groupId, message: item.messageId })}
                        >
                          {item.messageId}
                        </button>{' '}
                        {item.routed ? <span class="badge routed">routed</span> : <span class="badge">not routed</span>}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </nav>
          <div class="panels">
            {schema === undefined || schemaRef === undefined || versionId === undefined ? (
              <p class="hint">Select a schema version to see its text, compare it with another version, or check a new one.</p>
            ) : (
              <SchemaPanel key={`${schemaRef.group}/${schemaRef.schema}`} schemaRef={schemaRef} schema={schema} versionId={versionId} onRegistered={reload} />
            )}
            {message === undefined || messageRef === undefined ? null : (
              <MessagePanel key={`${messageRef.group}/${messageRef.message}`} messageRef={messageRef} message={message} onSaved={reload} />
            )}
            <NewMessagePanel registry={registry} onSaved={reload} />
          </div>
        </div>
      )}
    </section>
  );
}

type SchemaPanelProps = {
  readonly schemaRef: SchemaRef;
  readonly schema: SchemaSummary;
  readonly versionId: string;
  readonly onRegistered: () => void;
};

function SchemaPanel({ schemaRef, schema, versionId, onRegistered }: SchemaPanelProps) {
  const { group, schema: schemaId } = schemaRef;
  const shown = useLoad(() => loadVersion(group, schemaId, versionId), `${group}/${schemaId}/${versionId}`);
  return (
    <>
      <section class="panel" aria-labelledby="version-title">
        <h2 id="version-title">
          {group}/{schemaId} version {versionId}
          {versionId === schema.defaultVersionId ? ' (default)' : ''}
        </h2>
        <Alert message={shown.error} />
        {shown.data === undefined ? null : (
          <>
            <p class="meta">
              <code>{shown.data.xid}</code> · {shown.data.format} · compatibility {schema.compatibility}
              {(() => {
                const summary = schema.versions.find((version) => version.versionId === versionId);
                return summary === undefined
                  ? null
                  : ` · created ${formatDateTime(summary.createdAt)}${summary.numericId === null ? '' : ` · numeric id ${summary.numericId}`}`;
              })()}
            </p>
            <pre class="schema-text">{shown.data.text}</pre>
          </>
        )}
      </section>
      <DiffPanel schemaRef={schemaRef} schema={schema} initialTo={versionId} />
      <CheckPanel schemaRef={schemaRef} schema={schema} onRegistered={onRegistered} />
    </>
  );
}

function DiffPanel({ schemaRef, schema, initialTo }: { readonly schemaRef: SchemaRef; readonly schema: SchemaSummary; readonly initialTo: string }) {
  const versions = schema.versions.map((version) => version.versionId);
  const previous = versions[Math.max(versions.indexOf(initialTo) - 1, 0)] ?? initialTo;
  const [from, setFrom] = useState(previous);
  const [to, setTo] = useState(initialTo);
  useEffect(() => setTo(initialTo), [initialTo]);
  const { group, schema: schemaId } = schemaRef;
  const texts = useLoad(
    () => Promise.all([loadVersion(group, schemaId, from), loadVersion(group, schemaId, to)]).then(([a, b]) => diffModel(a.text, b.text)),
    `${group}/${schemaId}/${from}/${to}`,
  );
  const changed = texts.data?.filter((line) => line.kind !== 'same').length ?? 0;
  return (
    <section class="panel" aria-labelledby="diff-title">
      <h2 id="diff-title">Compare versions</h2>
      <div class="row">
        <LabelledSelect label="From version" value={from} options={versions} onChange={setFrom} />
        <LabelledSelect label="To version" value={to} options={versions} onChange={setTo} />
        <span class="meta" aria-live="polite">
          {texts.data === undefined ? '' : changed === 0 ? 'No differences.' : `${changed} changed ${changed === 1 ? 'line' : 'lines'}.`}
        </span>
      </div>
      <Alert message={texts.error} />
      {texts.data === undefined ? null : (
        <pre class="diff" data-from={from} data-to={to}>
          {withContext(texts.data).map((row, index) =>
            // Lines repeat (`}`), so their position is their identity.
            row.kind === 'folded' ? (
              <span key={index} class="diff-line diff-folded" data-kind="folded">
                {`  … ${row.count} unchanged ${row.count === 1 ? 'line' : 'lines'}`}
                {'\n'}
              </span>
            ) : (
              <span key={index} class={`diff-line diff-${row.kind}`} data-kind={row.kind}>
                {diffPrefix(row.kind)} {row.text}
                {'\n'}
              </span>
            ),
          )}
        </pre>
      )}
    </section>
  );
}

function CheckPanel({ schemaRef, schema, onRegistered }: { readonly schemaRef: SchemaRef; readonly schema: SchemaSummary; readonly onRegistered: () => void }) {
  const { group, schema: schemaId } = schemaRef;
  const [text, setText] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<{ text: string; view: CompatibilityView } | undefined>(undefined);
  const [registered, setRegistered] = useState<RegisteredView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // The editor starts from the default version's text: most new versions are a small edit of it.
  useEffect(() => {
    let current = true;
    loadVersion(group, schemaId, schema.defaultVersionId).then(
      (view) => {
        if (current) setText((before) => before ?? view.text);
      },
      (failure: unknown) => {
        if (current) setError(errorText(failure));
      },
    );
    return () => {
      current = false;
    };
  }, [group, schemaId, schema.defaultVersionId]);
  const check = async () => {
    if (text === undefined) return;
    setBusy(true);
    setError(undefined);
    setRegistered(undefined);
    try {
      const view = await apiPost<CompatibilityView>('registry/check', { group, schema: schemaId, text });
      setResult({ text, view });
    } catch (failure) {
      setResult(undefined);
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  const register = async () => {
    if (text === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      const view = await apiWrite<RegisteredView>('POST', 'registry/versions', { group, schema: schemaId, text });
      setRegistered(view);
      setResult(undefined);
      onRegistered();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  // Registering is offered only for the very text that passed the check.
  const passed = result?.view.compatible === true && result.view.invalid === undefined && result.text === text;
  return (
    <section class="panel" aria-labelledby="check-title">
      <h2 id="check-title">Check a new version of {schemaId}</h2>
      <label for="new-version-text">New version text (compatibility {schema.compatibility})</label>
      <textarea id="new-version-text" class="code" rows={14} spellcheck={false} value={text ?? ''} onInput={(event) => setText(event.currentTarget.value)} />
      <div class="actions">
        <button type="button" onClick={check} disabled={busy || text === undefined}>
          Check compatibility
        </button>
        <button type="button" class="primary" onClick={register} disabled={busy || !passed}>
          Register as new version
        </button>
        {passed ? null : <span class="hint">Register becomes available after a passing check of this exact text.</span>}
      </div>
      <Alert message={error} />
      <div aria-live="polite" class="check-result" data-compatible={result === undefined ? '' : String(result.view.compatible)}>
        {result === undefined ? null : result.view.invalid !== undefined ? (
          <p class="bad">
            <span aria-hidden="true">✗ </span>Not a valid schema: {result.view.invalid}
          </p>
        ) : result.view.compatible ? (
          <p class="good">
            <span aria-hidden="true">✓ </span>Compatible ({result.view.compatibility}).
          </p>
        ) : (
          <>
            <p class="bad">
              <span aria-hidden="true">✗ </span>Breaks the {result.view.compatibility} rule:
            </p>
            <table class="breaking">
              <caption>Breaking changes</caption>
              <thead>
                <tr>
                  <th scope="col">Path</th>
                  <th scope="col">Change</th>
                  <th scope="col">Against version</th>
                </tr>
              </thead>
              <tbody>
                {result.view.breaking.map((change) => (
                  <tr key={`${change.againstVersion}:${change.path}:${change.message}`}>
                    <th scope="row">
                      <code>{change.path}</code>
                    </th>
                    <td>{change.message}</td>
                    <td>{change.againstVersion}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {registered === undefined ? null : (
          <p class="good">
            <span aria-hidden="true">✓ </span>Registered as version {registered.versionId}: <code>{registered.xid}</code>
          </p>
        )}
      </div>
    </section>
  );
}

/** Saves a message definition through the registry; answers what the page shows. */
async function saveMessage(group: string, message: string, text: string): Promise<MessageWrittenView> {
  const parsed = parseDefinition(text);
  if (!parsed.ok) throw new Error(`The definition is ${parsed.reason}`);
  return apiWrite<MessageWrittenView>('PUT', 'registry/messages', { group, message, definition: parsed.definition });
}

function MessagePanel({ messageRef, message, onSaved }: { readonly messageRef: MessageRef; readonly message: MessageSummary; readonly onSaved: () => void }) {
  const [text, setText] = useState(() => definitionText(message.definition));
  const writing = useMessageWrite(onSaved);
  const { busy } = writing;
  const save = () => writing.write(messageRef.group, messageRef.message, text);
  return (
    <section class="panel" aria-labelledby="message-title">
      <h2 id="message-title">
        Message {messageRef.group}/{messageRef.message}
      </h2>
      <p class="meta">
        {message.subject === null ? 'No subject' : <code>{message.subject}</code>} · {message.routed ? 'routed by the plane' : 'not routed'}
      </p>
      <label for="message-definition">Message definition (JSON)</label>
      <textarea id="message-definition" class="code" rows={16} spellcheck={false} value={text} onInput={(event) => setText(event.currentTarget.value)} />
      <div class="actions">
        <button type="button" class="primary" onClick={save} disabled={busy}>
          Save route
        </button>
      </div>
      <MessageWriteOutcome writing={writing} />
    </section>
  );
}

function NewMessagePanel({ registry, onSaved }: { readonly registry: RegistryView; readonly onSaved: () => void }) {
  const groups = registry.messageGroups.map((group) => group.groupId);
  const template = useMemo(() => {
    const routed = registry.messageGroups.flatMap((group) => group.messages).find((message) => message.routed);
    return routed === undefined ? '{\n  \n}' : definitionText(newMessageTemplate(routed.definition));
  }, [registry]);
  const [group, setGroup] = useState(groups[0] ?? '');
  const [messageId, setMessageId] = useState('');
  const [text, setText] = useState(template);
  const writing = useMessageWrite(onSaved);
  const { busy } = writing;
  const save = (event: Event) => {
    event.preventDefault();
    void writing.write(group.trim(), messageId.trim(), text);
  };
  return (
    <details class="panel new-message">
      <summary>
        <h2>New message</h2>
      </summary>
      <p class="hint">
        Route a subject the registry does not know yet. The template is a copy of a routed message with its subject and dead-letter subject blank.
      </p>
      <form onSubmit={save}>
        <div class="row">
          <LabelledSelect label="Message group" value={group} options={groups} onChange={setGroup} />
          <label>
            Message id <input type="text" required value={messageId} onInput={(event) => setMessageId(event.currentTarget.value)} />
          </label>
        </div>
        <label for="new-message-definition">New message definition (JSON)</label>
        <textarea id="new-message-definition" class="code" rows={16} spellcheck={false} value={text} onInput={(event) => setText(event.currentTarget.value)} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || group.trim() === '' || messageId.trim() === ''}>
            Create route
          </button>
        </div>
      </form>
      <MessageWriteOutcome writing={writing} />
    </details>
  );
}

/** A <select> inside its own visible label. */
function LabelledSelect({
  label,
  value,
  options,
  onChange,
}: {
  readonly label: string;
  readonly value: string;
  readonly options: readonly string[];
  readonly onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

type MessageWrite = {
  readonly busy: boolean;
  readonly error: string | undefined;
  readonly saved: MessageWrittenView | undefined;
  write(group: string, message: string, text: string): Promise<void>;
};

/** Writing a message definition (a route) through the registry, for the edit and the new-message panels alike. */
function useMessageWrite(onSaved: () => void): MessageWrite {
  const [error, setError] = useState<string | undefined>(undefined);
  const [saved, setSaved] = useState<MessageWrittenView | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const write = async (group: string, message: string, text: string): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      setSaved(await saveMessage(group, message, text));
      onSaved();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, saved, write };
}

/** What the last write did: the registry's refusal word for word, or the message written. */
function MessageWriteOutcome({ writing }: { readonly writing: MessageWrite }) {
  const { error, saved } = writing;
  return (
    <>
      <Alert message={error} />
      <div aria-live="polite">
        {saved === undefined ? null : (
          <p class="good">
            <span aria-hidden="true">✓ </span>
            {saved.created ? 'Created' : 'Saved'} <code>{saved.xid}</code>
          </p>
        )}
      </div>
    </>
  );
}

export { Registry };
