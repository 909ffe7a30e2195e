/**
 * This labextension's version, read from package.json at bundle time (the single source of the
 * version: hatch-nodejs-version gives the Python package the same one). The startup handshake
 * compares it with the server extension's `version` route.
 */
// package.json sits outside `rootDir`, so it is required (resolved by the bundler and by jest)
// rather than imported.
declare const require: (path: string) => { version: string };

/** The version in package.json, e.g. `0.1.0`. */
export const FRONTEND_VERSION: string = require('../package.json').version;
