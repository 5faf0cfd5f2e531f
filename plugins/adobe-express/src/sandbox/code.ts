import addOnSandboxSdk from 'add-on-sdk-document-sandbox';
import { editor } from 'express-document-sdk';
import { createLuminaSandbox } from './create-lumina-sandbox.ts';

// The document sandbox's entry (manifest `documentSandbox`): Express provides both SDK modules at run time.
addOnSandboxSdk.instance.runtime.exposeApi(
  createLuminaSandbox(editor, { experimentalApis: __LUMINA_EXPERIMENTAL_APIS__ }),
);
