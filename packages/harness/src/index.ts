export {
  type FormatRecordsOptions,
  type RecordEntry,
  type RecordTranscript,
  type TranscriptError,
  type TranscriptProblem,
  RecordTranscriber,
  describeRecords,
  formatRecords,
} from './format-records.js';
