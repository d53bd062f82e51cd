export { extractSnippets, type HttpCheck, type Snippet } from './extract.js'
export { assertBuilt } from './fresh-build.js'
export { buildPrograms, type Program } from './programs.js'
export { installedProject, type ProjectSpec, projectKey } from './project.js'
export { listReadmes, readmeName } from './readmes.js'
export { type RunExpectations, type RunResult, runProgram } from './run.js'
export {
  type Diagnostic,
  parseDiagnostics,
  type ReadmePrograms,
  type Resolution,
  runTsc,
  writeCombinedConfig,
  writePrograms,
} from './typecheck.js'
