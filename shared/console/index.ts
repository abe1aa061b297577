export { handleConsoleRequest } from './handler.ts';
export { buildOverview } from './overview.ts';
export type { DeadLetterCounts, OverviewSources } from './overview.ts';
export { ConsoleConflictError, ConsoleUnavailableError } from './errors.ts';
export { CONTENT_SECURITY_POLICY } from './headers.ts';
export type { ConsoleAsset, ConsoleAssets, ConsoleAuth, ConsoleDeps, ConsoleLetters, ConsoleRegistry, PurgeInput, ReplayInput } from './deps.ts';
export type {
  BreakingChange,
  CompatibilityView,
  LetterFilter,
  LetterListView,
  LetterSummary,
  LetterView,
  MessageSummary,
  MessageWrittenView,
  OverviewView,
  ProblemView,
  PurgeView,
  RegisteredView,
  RegistryView,
  ReplayView,
  ReplicaView,
  RouteFiguresView,
  RouteView,
  SchemaSummary,
  SchemaVersionView,
  SeriesPoint,
  SessionView,
  SinkView,
  VersionSummary,
} from './views.ts';
