export { DEFAULT_JOB_ERROR } from './emulated-job.js';
export { RANDOM_OVERSIZE_BYTES } from './fault-book.js';
export { IMAGE_SIZES } from './input-schema.js';
export { DEFAULT_MODEL_ID, DEFAULT_TOKEN, startRunComfyEmulator } from './server.js';
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
  ResponseFaultSpec,
  Route,
  RunComfyEmulator,
  RunComfyEmulatorOptions,
  SeedreamInput,
} from './types.js';
