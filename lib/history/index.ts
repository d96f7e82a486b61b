export type { Balances, EventType, Fn, HistoryEvent, Operation, Scalar, Value } from './events.ts';
export { formatHistory, HistoryFormatError, isBalances, parseHistory, readHistory, validateEvent, writeHistory } from './jsonl.ts';
export { pair, retire } from './pair.ts';
export { type HistoryRecord, type HistoryWorkload, loadHistoryRecord } from './record.ts';
