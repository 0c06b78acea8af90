export { MAX_REFERENCES_AND_OUTPUTS } from './edit-input-schema.js';
export { DEFAULT_JOB_ERROR } from './emulated-job.js';
export { RANDOM_OVERSIZE_BYTES } from './fault-book.js';
export { referenceSwatch } from './image-renderer.js';
export { IMAGE_SIZES } from './input-schema.js';
export { MAX_REFERENCE_BYTES, sniffImageFormat } from './reference-fetch.js';
export { DEFAULT_EDIT_MODEL_ID, DEFAULT_MODEL_ID, DEFAULT_TOKEN, startRunComfyEmulator } from './server.js';
export type {
  EmulatedJobState,
  EmulatedJobView,
  FaultKind,
  FaultSpec,
  JobFaultSpec,
  JobTiming,
  JobTimingContext,
  RandomFaultSpec,
  RecordedCall,
  ReferenceReport,
  ResponseFaultSpec,
  Route,
  RunComfyEmulator,
  RunComfyEmulatorOptions,
  SeedreamEditInput,
  SeedreamInput,
} from './types.js';
